package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCheckKnowledgeBase: `intake check` refuses a KB article whose category
// is unknown, suggesting the nearest, and places KB and configuration
// syntax errors at the line to look at.
func TestCheckKnowledgeBase(t *testing.T) {
	const article = "- id: printer-jam\n  category: %s\n  title: {es: Atasco, en: Jam}\n  questions: {es: [papel atascado], en: [paper jam]}\n  answer: {es: Abre la bandeja., en: Open the tray.}\n"
	tests := []struct {
		name, kb, config string
		want             string // FILE:LINE:COL: message, FILE relative to the temp dir
	}{
		{"unknown category", strings.Replace(article, "%s", "hardwre", 1), "",
			`kb/zz.yaml:2:13: unknown category "hardwre" (did you mean "hardware"?); known: account, software, hardware,`},
		{"category named in the config", strings.Replace(article, "%s", "printers", 1), "\n  - {name: printers, when: {category: [printers]}, tier: L2}", ""},
		{"kb syntax", "- id: x\n  category: hardware\n  answer: {es: y}\n - id: w\n", "",
			"kb/zz.yaml:4:2: invalid YAML: did not find expected '-' indicator"},
		{"config syntax", "", "\n   - {name: default, tier: L2}",
			"intake.yaml:%d:4: invalid YAML: did not find expected '-' indicator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := exampleConfig(t)
			dir := filepath.Dir(cfg)
			if tt.kb != "" {
				if err := os.WriteFile(filepath.Join(dir, "kb", "zz.yaml"), []byte(tt.kb), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := tt.want
			if tt.config != "" {
				data, _ := os.ReadFile(cfg)
				s := strings.Replace(string(data), "\n  - {name: default, tier: L2}", tt.config+"\n  - {name: default, tier: L2}", 1)
				if strings.Contains(want, "%d") {
					line := strings.Count(s[:strings.Index(s, tt.config)+1], "\n") + 1
					want = strings.Replace(want, "%d", itoa(line), 1)
				}
				if err := os.WriteFile(cfg, []byte(s), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, stderr, code := runIntake(t, "", "check", "-config", cfg)
			if want == "" {
				if code != 0 {
					t.Fatalf("check: exit %d, want 0; stderr:\n%s", code, stderr)
				}
				return
			}
			if code != 1 || !strings.HasPrefix(stderr, filepath.Join(dir, want)) {
				t.Errorf("check: exit %d, stderr %q; want exit 1 and %q", code, stderr, filepath.Join(dir, want))
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
