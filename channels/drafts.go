package channels

import (
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/intake-support/intake"
)

// writeDraft writes a draft knowledge base article as a KB file (a YAML list
// of one article after the draft's comment header) for a manager to review.
// The file is replaced at once (written aside, then renamed), so a reader
// never sees half of it and writing the same draft again is harmless.
func writeDraft(d intake.Draft) error {
	b, err := yaml.Marshal([]intake.Article{d.Article})
	if err != nil {
		return fmt.Errorf("draft article %s: %w", d.Article.ID, err)
	}
	b = append([]byte(d.Header), b...)
	if err := os.MkdirAll(filepath.Dir(d.Path), 0o755); err != nil {
		return fmt.Errorf("draft article %s: %w", d.Article.ID, err)
	}
	tmp := d.Path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("draft article %s: %w", d.Article.ID, err)
	}
	if err := os.Rename(tmp, d.Path); err != nil {
		return fmt.Errorf("draft article %s: %w", d.Article.ID, err)
	}
	return nil
}
