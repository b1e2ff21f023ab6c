package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/intake-support/intake/config"
	"go.yaml.in/yaml/v3"
)

// No container engine runs where the tests run, so the image's configuration
// and the compose file are checked here instead of by running them.

// dockerReplacements returns the sed replacements the Dockerfile applies to
// config/example.yaml.
func dockerReplacements(t *testing.T) [][2]string {
	t.Helper()
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, m := range regexp.MustCompile(`-e 's\|([^|]*)\|([^|]*)\|'`).FindAllStringSubmatch(string(data), -1) {
		out = append(out, [2]string{m[1], m[2]})
	}
	if len(out) < 5 {
		t.Fatalf("Dockerfile has %d sed replacements, want the 5 that adapt the example", len(out))
	}
	return out
}

func TestDockerConfig(t *testing.T) {
	example, err := os.ReadFile("../../config/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(example)
	for _, r := range dockerReplacements(t) {
		from, anchored := strings.CutPrefix(r[0], "^")
		from, lineEnd := strings.CutSuffix(from, "$")
		to := strings.ReplaceAll(r[1], `\n`, "\n")
		n := strings.Count(text, from)
		if anchored {
			n = strings.Count("\n"+text, "\n"+from)
		}
		if lineEnd && !strings.Contains(text, from+"\n") {
			n = 0
		}
		if n != 1 {
			t.Fatalf("config/example.yaml has %q %d times, want once: the Dockerfile's sed no longer fits it", r[0], n)
		}
		text = strings.Replace(text, from, to, 1)
	}
	dir := t.TempDir()
	copyTree(t, "../../config/kb", filepath.Join(dir, "kb"))
	path := filepath.Join(dir, "intake.yaml")
	for _, tc := range []struct {
		name  string
		env   map[string]string
		store string
	}{
		{"bolt in the volume", nil, "bolt:/data/intake.db"},
		{"compose's redis", map[string]string{"INTAKE_STORE": "redis://redis:6379/0"}, "redis://redis:6379/0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse(path, []byte(text), func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if err != nil {
				t.Fatalf("the image's configuration: %v", err)
			}
			got := map[string]string{
				"store": cfg.Store.String(), "http.listen": cfg.HTTP.Listen,
				"smtp_listen.addr": cfg.Channels.Email.SMTPListen.Addr, "outbox_dir": cfg.Channels.Email.OutboxDir,
				"drafts_dir": cfg.Triage.DraftsDir,
			}
			want := map[string]string{"store": tc.store, "http.listen": "0.0.0.0:8080", "smtp_listen.addr": "0.0.0.0:2525",
				"outbox_dir": "/data/outbox", "drafts_dir": "/data/drafts"}
			for k, w := range want {
				if strings.TrimSuffix(got[k], "/") != w {
					t.Errorf("image configuration %s = %q, want %q", k, got[k], w)
				}
			}
		})
	}
}

func TestComposeRedisIsDurable(t *testing.T) {
	data, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Ports       []string          `yaml:"ports"`
			Volumes     []string          `yaml:"volumes"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("parse docker-compose.yml: %v", err)
	}
	redis, intake := c.Services["redis"], c.Services["intake"]
	args := strings.Join(redis.Command, " ")
	if !strings.Contains(args, "--appendonly yes") || !regexp.MustCompile(`--appendfsync (everysec|always)`).MatchString(args) {
		t.Errorf("redis command = %q, want --appendonly yes and --appendfsync everysec or always", args)
	}
	if !slices.Contains(redis.Volumes, "redis-data:/data") {
		t.Errorf("redis volumes = %v, want redis-data:/data", redis.Volumes)
	}
	if got := intake.Environment["INTAKE_STORE"]; !strings.HasPrefix(got, "redis://redis:6379") {
		t.Errorf("intake INTAKE_STORE = %q, want the redis service", got)
	}
	for _, p := range []string{"8080:8080", "2525:2525"} {
		if !slices.ContainsFunc(intake.Ports, func(s string) bool { return strings.HasSuffix(s, p) }) {
			t.Errorf("intake ports = %v, want %s published", intake.Ports, p)
		}
	}
	if !slices.Contains(intake.Volumes, "intake-data:/data") {
		t.Errorf("intake volumes = %v, want intake-data:/data", intake.Volumes)
	}
}
