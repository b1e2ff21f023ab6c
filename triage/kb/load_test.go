package kb

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeKB(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const good = `id: a1
category: account
title: {es: Hola, en: Hello}
questions: {es: [olvidé mi clave], en: [forgot password]}
answer: {es: "Paso 1", en: "Step 1"}
synonyms: {clave: [contraseña]}
`

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings, each FILE:LINE:COL prefixed
	}{
		// Syntax errors at the line and column to look at (yaml/v3 says one line earlier).
		{"syntax", map[string]string{"a.yaml": "id: x\ncategory: [unclosed\n"}, []string{"a.yaml:2:11: invalid YAML: did not find expected ',' or ']'"}},
		{"tab", map[string]string{"b.yaml": "id: x\ncategory: y\n\tanswer: z\n"}, []string{"b.yaml:3:1: invalid YAML: found a tab character that violates indentation (indent with spaces, not tabs)"}},
		{"indentation", map[string]string{"c.yaml": "- id: x\n  category: account\n  answer: {es: y}\n - id: w\n"}, []string{"c.yaml:4:2: invalid YAML: did not find expected '-' indicator"}},
		{"unclosed quote", map[string]string{"d.yaml": "id: x\ncategory: account\nanswer: {es: \"y}\n"}, []string{"d.yaml:3:"}},
		{"unknown key", map[string]string{"a.yaml": good + "colour: red\n"}, []string{`a.yaml:7:1: unknown key "colour"`}},
		{"missing id", map[string]string{"a.yaml": "category: x\nanswer: {en: y}\n"}, []string{"a.yaml:1:1: article without id"}},
		{"missing category", map[string]string{"a.yaml": "id: x\nanswer: {en: y}\n"}, []string{`a.yaml:1:1: article "x" without category`}},
		{"missing answer", map[string]string{"a.yaml": "id: x\ncategory: y\n"}, []string{`a.yaml:1:1: article "x" without answer`}},
		{"list item", map[string]string{"a.yaml": "- id: x\n  category: y\n  answer: {en: z}\n- id: w\n  category: y\n"}, []string{`a.yaml:4:3: article "w" without answer`}},
		{"duplicate id", map[string]string{"a.yaml": good, "b.yaml": good}, []string{`b.yaml:1:1: duplicate article id "a1" (first at`}},
		{"bad answer type", map[string]string{"a.yaml": "id: x\ncategory: y\nanswer: just text\n"}, []string{"a.yaml:3:9: want a mapping from language to text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeKB(t, tt.files)
			_, err := Load(dir)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Load() = %v, want a *LoadError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), filepath.Join(dir, w[:strings.Index(w, ":")])+w[strings.Index(w, ":"):]) {
					t.Errorf("Load() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadGood(t *testing.T) {
	k, err := Load(writeKB(t, map[string]string{"a.yaml": good}))
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	a := k.Article("a1")
	if a == nil || a.AnswerIn("en") != "Step 1" || a.AnswerIn("fr") != "Step 1" || a.AnswerIn("es") != "Paso 1" {
		t.Fatalf("Article(a1) = %+v", a)
	}
}

func TestLoadDefaultKB(t *testing.T) {
	k, err := Load("../../config/kb")
	if err != nil {
		t.Fatalf("Load(config/kb) = %v", err)
	}
	if len(k.Articles) < 40 {
		t.Errorf("default KB has %d articles, want >= 40", len(k.Articles))
	}
	cats := map[string]bool{}
	for _, a := range k.Articles {
		cats[a.Category] = true
		for _, l := range []string{"es", "en"} {
			if a.Answer[l] == "" || len(a.Questions[l]) == 0 || a.Title[l] == "" {
				t.Errorf("article %s lacks %s title, questions or answer", a.ID, l)
			}
		}
	}
	for _, c := range []string{"account", "software", "hardware", "network", "email", "database", "server", "infrastructure", "outage", "onsite", "development", "other"} {
		if !cats[c] {
			t.Errorf("default KB has no %s article", c)
		}
	}
}

func TestLoadEmptyDir(t *testing.T) {
	if _, err := Load(t.TempDir()); !errors.Is(err, ErrNoArticles) {
		t.Errorf("Load(empty) = %v, want ErrNoArticles", err)
	}
}
