package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var binary string

// TestMain builds the real binary once, so the tests run it as users do.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "intake-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "intake")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// exampleConfig copies config/example.yaml and its knowledge base into a
// temporary folder, so the gateway's data and outbox land there.
func exampleConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, "../../config/kb", filepath.Join(dir, "kb"))
	data, err := os.ReadFile("../../config/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "intake.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	if err := copyDir(from, to); err != nil {
		t.Fatal(err)
	}
}

func runIntake(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return o.String(), e.String(), exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return o.String(), e.String(), 0
}

func TestCheckExample(t *testing.T) {
	_, stderr, code := runIntake(t, "", "check", "-config", "../../config/example.yaml")
	if code != 0 {
		t.Fatalf("check example.yaml: exit %d, want 0; stderr:\n%s", code, stderr)
	}
}

func TestCheckReportsEveryProblemWithPosition(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	bad := `store: bolt:data/intake.db
http:
  listen: 127.0.0.1:8080
  api_tokn: secret
triage:
  languages: [es, en]
  knowledge_base: ` + mustAbs(t, "../../config/kb") + `
tiers:
  - {id: L2, name: "Nivel II", slack_channel: C0L2, claim_within: 15 minutes, resolve_within: 8h, next: L9}
routing:
  - {name: default, tier: L2}
`
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runIntake(t, "", "check", "-config", path)
	if code != 1 {
		t.Fatalf("check bad.yaml: exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	pos := regexp.MustCompile(`^` + regexp.QuoteMeta(path) + `:\d+:\d+: `)
	for _, l := range lines {
		if !pos.MatchString(l) {
			t.Errorf("line %q is not FILE:LINE:COL: message", l)
		}
	}
	if len(lines) != 3 {
		t.Fatalf("check bad.yaml printed %d lines, want 3:\n%s", len(lines), stderr)
	}
	for i, want := range []string{"api_tokn", "15 minutes", "L9"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %q, want it to mention %q", i+1, lines[i], want)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestVersion(t *testing.T) {
	stdout, _, code := runIntake(t, "", "version")
	if code != 0 || !strings.HasPrefix(stdout, "intake ") {
		t.Fatalf("version = %q exit %d", stdout, code)
	}
}

// replaceSMTPPort points the example's SMTP listener at a free port so tests
// can run beside a gateway on 2525.
// It returns the new address.
func TestInspect(t *testing.T) {
	stdout, stderr, code := runIntake(t, "", "inspect", "../../channels/email/mailparse/testdata/gmail_reply_es.eml")
	if code != 0 {
		t.Fatalf("inspect gmail_reply_es.eml: exit %d, stderr %s", code, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("inspect printed no JSON object: %v\n%s", err, stdout)
	}
	for _, key := range []string{"from", "to", "subject", "text", "language", "thread_keys", "auto_reply", "auto_reply_reason", "attachments", "sender_verified"} {
		if _, ok := got[key]; !ok {
			t.Errorf("inspect JSON lacks %q: %s", key, stdout)
		}
	}
	if got["language"] != "es" || strings.Contains(got["text"].(string), "escribió") {
		t.Errorf("inspect: language %v, text %q; want es with the quoted history stripped", got["language"], got["text"])
	}
	_, stderr, code = runIntake(t, "", "inspect", "../../channels/email/mailparse/testdata/not_message.eml")
	if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "refused") {
		t.Errorf("inspect not_message.eml: exit %d, stderr %q; want exit 1 and one line saying why", code, stderr)
	}
}
