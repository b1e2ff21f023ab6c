package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intake-support/intake/store/bolt"
)

// TestCheckStore: `intake check -store` reads every page of the embedded
// store and names a damaged file, without changing it.
func TestCheckStore(t *testing.T) {
	dir := t.TempDir()
	example, err := os.ReadFile("../../config/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "intake.db")
	conf := strings.Replace(string(example), "store: bolt:data/intake.db", "store: bolt:"+dbPath, 1)
	conf = strings.Replace(conf, "knowledge_base: kb/", "knowledge_base: "+mustAbs(t, "../../config/kb"), 1)
	confPath := filepath.Join(dir, "intake.yaml")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}

	if _, stderr, code := runIntake(t, "", "check", "-store", "-config", confPath); code != 1 || !strings.Contains(stderr, "no such file") {
		t.Errorf("check -store without a store file: exit %d, stderr %q; want 1 naming the missing file", code, stderr)
	}
	s, err := bolt.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runIntake(t, "", "check", "-store", "-config", confPath); code != 0 {
		t.Fatalf("check -store on a sound store: exit %d, want 0; stderr:\n%s", code, stderr)
	}

	data, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for i := 3 * 4096; i < len(data); i++ {
		data[i] = 0xA5
	}
	if err := os.WriteFile(dbPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runIntake(t, "", "check", "-store", "-config", confPath)
	if code != 1 || !strings.Contains(stderr, "corrupt") {
		t.Errorf("check -store on a damaged store: exit %d, stderr %q; want 1 saying it is corrupt", code, stderr)
	}
	if after, _ := os.ReadFile(dbPath); string(after) != string(data) {
		t.Errorf("check -store changed the damaged file")
	}
}
