// Command schemagen writes config/intake.schema.json, the JSON Schema of
// intake's configuration file, from the configuration types in config/ and
// their field comments, for editors' completion and checking (the
// yaml-language-server modeline at the top of config/example.yaml names it).
// Run it from the repository's root after changing config's types:
//
//	go run ./config/schemagen
//
// config/schemagen's test fails while the file is not what it would write.
package main

import (
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	if err := run("config"); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

// run writes the schema of the configuration types whose sources are in dir.
func run(dir string) error {
	out, err := generate(dir)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "intake.schema.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
