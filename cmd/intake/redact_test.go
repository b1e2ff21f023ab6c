package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestConfigErrorsHideThePassword: a Redis (or any) URL that check or serve
// prints in an error shows the host, never the password (issue 14, item 6).
func TestConfigErrorsHideThePassword(t *testing.T) {
	const pw = "s3cretPW"
	tests := []struct {
		name, store, cmd string
	}{
		{"check bad port", "redis://:" + pw + "@127.0.0.1:99999/0", "check"},
		{"check bad database", "redis://app:" + pw + "@127.0.0.1:6379/x", "check"},
		{"check unparseable host", "redis://app:" + pw + "@[::1/0", "check"},
		{"check unknown scheme", "rediz://app:" + pw + "@127.0.0.1/0", "check"},
		{"serve bad port", "redis://:" + pw + "@127.0.0.1:99999/0", "serve"},
		{"serve unreachable", "redis://app:" + pw + "@127.0.0.1:1/0", "serve"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := exampleConfig(t)
			data, err := os.ReadFile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			data = bytes.Replace(data, []byte("store: bolt:data/intake.db"), []byte("store: "+tc.store), 1)
			if err := os.WriteFile(cfg, data, 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{tc.cmd, "-config", cfg}
			if tc.cmd == "serve" {
				args = append(args, "-http", freeAddr(t))
			}
			stdout, stderr, code := runIntake(t, "", args...)
			if code == 0 {
				t.Fatalf("intake %s with store %q: exit 0, want a failure", tc.cmd, tc.store)
			}
			if strings.Contains(stdout+stderr, pw) {
				t.Errorf("intake %s with store %q printed the password:\n%s%s", tc.cmd, tc.store, stdout, stderr)
			}
			if !strings.Contains(stderr, "127.0.0.1") && !strings.Contains(stderr, "::1") {
				t.Errorf("intake %s with store %q: stderr %q does not name the host", tc.cmd, tc.store, stderr)
			}
		})
	}
}
