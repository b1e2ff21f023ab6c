package redact

import (
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"password", "redis://:s3cret@127.0.0.1:6379/0", "redis://:xxxxx@127.0.0.1:6379/0"},
		{"user and password", "rediss://app:s3cret@redis.example:6380/1?prefix=x", "rediss://app:xxxxx@redis.example:6380/1?prefix=x"},
		{"password with @ and :", "redis://u:p@ss:w@h:1/0", "redis://u:xxxxx@h:1/0"},
		{"malformed host", "redis://u:s3cret@[::1/0", "redis://u:xxxxx@[::1/0"},
		{"bad port", "redis://:s3cret@127.0.0.1:99999/0", "redis://:xxxxx@127.0.0.1:99999/0"},
		{"user only", "https://proxy@example.com/", "https://proxy@example.com/"},
		{"no user", "http://127.0.0.1:9000/api/", "http://127.0.0.1:9000/api/"},
		{"@ in the path", "http://h/a:b@c", "http://h/a:b@c"},
		{"not a URL", "bolt:data/intake.db", "bolt:data/intake.db"},
	}
	for _, tc := range tests {
		if got := URL(tc.in); got != tc.want {
			t.Errorf("%s: URL(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"quoted", `parse "redis://u:s3cret@[::1/0": missing ']' in host`, `parse "redis://u:xxxxx@[::1/0": missing ']' in host`},
		{"two", "a redis://:p1@h/0 b https://u:p2@x/", "a redis://:xxxxx@h/0 b https://u:xxxxx@x/"},
		{"none", "nothing here", "nothing here"},
	}
	for _, tc := range tests {
		got := Text(tc.in)
		if got != tc.want {
			t.Errorf("%s: Text(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, "p1") || strings.Contains(got, "p2@") {
			t.Errorf("%s: Text(%q) = %q still shows a password", tc.name, tc.in, got)
		}
	}
}
