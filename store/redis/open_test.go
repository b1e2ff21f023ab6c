package redis

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestOpenUnreachable(t *testing.T) {
	const addr = "127.0.0.1:1"
	start := time.Now()
	s, err := Open(context.Background(), "redis://user:secret@"+addr+"/0")
	took := time.Since(start)
	t.Logf("Open(%q) failed after %v: %v", addr, took, err)
	if err == nil {
		_ = s.Close()
		t.Fatalf("Open(%q) = nil error, want a failure", addr)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("Open(%q) = %v, want an error naming the address", addr, err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("Open(%q) = %v, want no password in the error", addr, err)
	}
	if took > time.Second {
		t.Errorf("Open(%q) took %v, want under 1s", addr, took)
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		addr    string
		db      int
		prefix  string
		retries int
		wantErr bool
	}{
		{"defaults", "redis://127.0.0.1:6379/15", "127.0.0.1:6379", 15, DefaultPrefix, defaultMaxRetries, false},
		{"prefix", "redis://u:p@redis.internal:6380/2?prefix=support:", "redis.internal:6380", 2, "support:", defaultMaxRetries, false},
		{"empty prefix", "redis://127.0.0.1:6379/0?prefix=", "127.0.0.1:6379", 0, "", defaultMaxRetries, false},
		{"go-redis option kept", "redis://127.0.0.1:6379/0?max_retries=3&prefix=x:", "127.0.0.1:6379", 0, "x:", 3, false},
		{"unknown option", "redis://127.0.0.1:6379/0?bogus=1", "", 0, "", 0, true},
		{"bad db", "redis://127.0.0.1:6379/abc", "", 0, "", 0, true},
		{"bad scheme", "http://127.0.0.1:6379/0", "", 0, "", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts, prefix, err := parseURL(tc.url)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("parseURL(%q) = nil error, want an error", tc.url)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseURL(%q) = %v, want nil", tc.url, err)
			}
			if opts.Addr != tc.addr || opts.DB != tc.db || prefix != tc.prefix || opts.MaxRetries != tc.retries {
				t.Errorf("parseURL(%q) = addr %q db %d prefix %q retries %d, want %q %d %q %d",
					tc.url, opts.Addr, opts.DB, prefix, opts.MaxRetries, tc.addr, tc.db, tc.prefix, tc.retries)
			}
		})
	}
}

func TestParseURLHidesPassword(t *testing.T) {
	const raw = "redis://user:hunter2@[::1/0"
	_, _, err := parseURL(raw)
	if err == nil {
		t.Fatalf("parseURL(%q) = nil error, want an error", raw)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("parseURL(%q) = %v, want no password in the error", raw, err)
	}
}
