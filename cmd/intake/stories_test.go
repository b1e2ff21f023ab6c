package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestShippedStories runs the conversation stories shipped next to the KB
// with the shipped settings: all pass, at least 90% of the common problems
// are answered in the first reply and none with the wrong article.
func TestShippedStories(t *testing.T) {
	stdout, stderr, code := runIntake(t, "", "test", "-config", "../../config/example.yaml")
	if code != 0 {
		t.Fatalf("intake test: exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	m := regexp.MustCompile(`(\d+) stories, 0 failed; common problems answered in the first reply: (\d+) of (\d+) \(\d+%\), misanswered (\d+)`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("intake test output = %q, want the summary line", stdout)
	}
	n, _ := strconv.Atoi(m[1])
	answered, _ := strconv.Atoi(m[2])
	common, _ := strconv.Atoi(m[3])
	if n < 60 || common == 0 || answered*10 < common*9 || m[4] != "0" {
		t.Errorf("stories %d, answered first %d of %d, misanswered %s; want >= 60 stories, >= 90%%, none misanswered", n, answered, common, m[4])
	}
}

// TestStoryFailureNamesTheStep: a failing expectation exits 1 naming the
// step as FILE:LINE; a malformed file is refused with its line.
func TestStoryFailureNamesTheStep(t *testing.T) {
	tests := []struct {
		name, yaml, want string
		code             int
	}{
		{"wrong article", `- story: wrong on purpose
  steps:
    - say: olvide mi contrasena
      expect: {action: answer, article: password-reset}
    - say: si
      expect: {action: escalate}
`, `stories.yaml:5: story "wrong on purpose" step 2: want action escalate, got "resolve"`, 1},
		{"unknown key", `- story: typo
  steps:
    - say: hola
      expct: {action: ask}
`, `line 4: unknown key "expct"`, 1},
		{"unknown action", `- story: typo
  steps:
    - say: hola
      expect: {action: reply}
`, `unknown action "reply"`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "stories.yaml"), []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := runIntake(t, "", "test", "-config", "../../config/example.yaml", "-stories", dir)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("intake test (%s) = exit %d\n%s%s\nwant exit %d and %q", tt.name, code, stdout, stderr, tt.code, tt.want)
			}
		})
	}
}

// TestChat holds conversations in the terminal: the answer first, then yes;
// an unanswered question handed over when the clock passes answer_within.
func TestChat(t *testing.T) {
	tests := []struct {
		name, stdin string
		args        []string
		want        []string
	}{
		{"solved es", "olvide mi contrasena\nsi ya funciona\n", nil,
			[]string{"cuenta.example.com", "action answer, article password-reset", "triage -> resolved"}},
		{"not solved en", "printer says offline\nnope\n/wait 9h\n", []string{"-lang", "en"},
			[]string{"article printer-offline", "Since when", "awaiting_customer -> escalated", "card in web L2"}},
		{"off-topic", "what time does the cafeteria open\n", []string{"-channel", "slack"},
			[]string{"triage -> closed", "action close"}},
		{"bad wait", "/wait soon\n", nil, []string{"/wait needs a duration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"chat", "-config", "../../config/example.yaml"}, tt.args...)
			stdout, stderr, code := runIntake(t, tt.stdin, args...)
			if code != 0 {
				t.Fatalf("intake chat: exit %d\n%s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("intake chat output lacks %q:\n%s", w, stdout)
				}
			}
			if strings.Contains(tt.name, "off-topic") && strings.Contains(stdout, "card in") {
				t.Errorf("off-topic posted a card:\n%s", stdout)
			}
		})
	}
}
