package kb

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary bytes to the KB file parser: it must return
// articles or problems with a position (line and column from 1) and a
// message, never panic, and what it returns must build a KB or be refused
// with an error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		good,
		"- " + good,
		"id: a\nid: b\n",
		"[1, 2, {id: x}]",
		"id: &a [*a]\n",
		"title: {es: 1, xx: [2]}\nquestions: {es: {a: b}}\n",
		"synonyms: {a: [b, [c]]}\nkeywords: 7\n",
		"\t- broken\n:",
		"",
		"---\n...\n---\n",
	} {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "config", "kb", "*.yaml"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		arts, probs := Parse("f.yaml", data)
		for _, p := range probs {
			if p.File != "f.yaml" || p.Line < 1 || p.Col < 1 || p.Msg == "" || !utf8.ValidString(p.Msg) && utf8.Valid(data) {
				t.Fatalf("Parse(%q) problem %+v, want a position from 1:1 and a message", data, p)
			}
		}
		for _, a := range arts {
			if a == nil {
				t.Fatalf("Parse(%q) returned a nil article", data)
			}
		}
		if len(probs) == 0 && len(arts) > 0 {
			_, _ = New(arts) // an error is a refusal; a panic fails the target
		}
	})
}
