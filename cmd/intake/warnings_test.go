package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestEscalationsToNowhereAreWarned: with Slack off (the example's default)
// every tier's cards reach no agent; check says so in a warning line and
// exits 0, or 1 with -strict, and a running gateway stays ready but says so
// on /readyz (issue 14, item 5).
func TestEscalationsToNowhereAreWarned(t *testing.T) {
	cfg := exampleConfig(t)
	tests := []struct {
		name     string
		args     []string
		env      []string
		code     int
		warnings int
	}{
		{"slack off", []string{"check", "-config", cfg}, nil, 0, 4},
		{"slack off, strict", []string{"check", "-strict", "-config", cfg}, nil, 1, 4},
		{"slack on, strict", []string{"check", "-strict", "-config", cfg}, []string{"SLACK_BOT_TOKEN=xoxb-1", "SLACK_SIGNING_SECRET=s"}, 0, 0},
	}
	for _, tc := range tests {
		t.Setenv("SLACK_BOT_TOKEN", "")
		t.Setenv("SLACK_SIGNING_SECRET", "")
		for _, kv := range tc.env {
			k, v, _ := strings.Cut(kv, "=")
			t.Setenv(k, v)
		}
		_, stderr, code := runIntake(t, "", tc.args...)
		if code != tc.code {
			t.Errorf("%s: intake %v exit %d, want %d; stderr:\n%s", tc.name, tc.args, code, tc.code, stderr)
		}
		if n := strings.Count(stderr, ": warning: tier "); n != tc.warnings {
			t.Errorf("%s: intake %v printed %d tier warnings, want %d:\n%s", tc.name, tc.args, n, tc.warnings, stderr)
		}
	}

	t.Setenv("SLACK_BOT_TOKEN", "")
	t.Setenv("SLACK_SIGNING_SECRET", "")
	replaceSMTPPort(t, cfg)
	g := startServe(t, cfg)
	g.waitReady(t)
	resp, err := http.Get("http://" + g.addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "warning: escalation: tier L2") {
		t.Errorf("GET /readyz with Slack off = %d %q, want 200 with an escalation warning", resp.StatusCode, body)
	}
	if !strings.Contains(g.logs.String(), "level=ERROR") || !strings.Contains(g.logs.String(), "reach no agent") {
		t.Errorf("serve with Slack off logged no error about the tiers:\n%s", g.logs.String())
	}
	g.stop(t)
}
