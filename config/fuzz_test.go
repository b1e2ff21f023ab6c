package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes Parse panic or hang, and that every
// problem it reports carries a usable position.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	seeds = append(seeds, "example.yaml")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("tiers: &t [{<<: *t}]\n"))
	f.Add([]byte("x-a: &a {<<: *a}\nhttp: {<<: *a}\n"))
	f.Add([]byte("http: {listen: ${A:-${B}}}\n"))
	f.Add([]byte("\t\x00\xff"))
	env := envOf(map[string]string{"INTAKE_API_TOKEN": "t", "A": "1"})
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("testdata/fuzz.yaml", data, env)
		if err == nil {
			if cfg == nil {
				t.Fatalf("Parse(%q) = nil, nil", data)
			}
			return
		}
		var errs Errors
		if !errors.As(err, &errs) || len(errs) == 0 {
			t.Fatalf("Parse(%q) = %v, want Errors", data, err)
		}
		for _, e := range errs {
			if e.Line < 1 || e.Col < 1 || e.File != "testdata/fuzz.yaml" || e.Msg == "" {
				t.Fatalf("Parse(%q) problem %#v, want a position and a message", data, e)
			}
		}
	})
}
