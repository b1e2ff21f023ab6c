package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testEnv is the environment the golden files are parsed with.
func testEnv(name string) (string, bool) {
	v, ok := map[string]string{
		"LISTEN":  "127.0.0.1:9999",
		"CHANNEL": "C0FROMENV",
		"EMPTY":   "",
	}[name]
	return v, ok
}

// TestGolden parses every testdata/*.yaml and compares the outcome ("ok" or
// the problems, one per line) with testdata/NAME.golden. Run with
// INTAKE_UPDATE_GOLDEN=1 to rewrite the golden files after checking the diff.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	abs, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := "ok\n"
			if _, err := Parse(file, data, testEnv); err != nil {
				got = strings.ReplaceAll(err.Error(), abs, "$TESTDATA") + "\n"
			}
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if os.Getenv("INTAKE_UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with INTAKE_UPDATE_GOLDEN=1 to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Parse(%q) =\n%s\nwant\n%s", file, got, want)
			}
		})
	}
}
