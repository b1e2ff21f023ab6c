// The evaluations on the dev splits are single-threaded numeric work that
// the race detector only slows tenfold; scripts/test runs them without it.

//go:build !race

package triage

import (
	"testing"

	"github.com/intake-support/intake/internal/repodata"
)

// readSet reads the split of an evaluation set that the repository carries
// (testdata/eval/SET/SPLIT.jsonl.gz).
func readSet(t testing.TB, set, split string) []Example {
	t.Helper()
	path := "eval/" + set + "/" + split + ".jsonl.gz"
	f, err := repodata.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ex, err := ReadExamples(f)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return ex
}

// TestEvaluateDevSets guards the dev figures (a little below those reached,
// see the closing report) so that a regression fails. The multilingual
// tickets may not be redistributed (CC BY-NC): their figures come from
// scripts/eval-full, run where the source data is at hand.
func TestEvaluateDevSets(t *testing.T) {
	tests := []struct {
		set                                 string
		top1, precision, coverage, oos, lng float64
	}{
		{"clinc150", 0.93, 0.98, 0.81, 0.88, 0.99},
		{"banking77", 0.91, 0.93, 0.78, 0.78, 0.99},
		{"stackfaq", 0.76, 0.97, 0.18, 0.98, 0.99},
		{"bitext", 0.99, 0.99, 0.97, 0, 0.99},
		{"it_tickets", 0.85, 0.92, 0.66, 0, 0.98},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			t.Parallel()
			c, err := NewClassifier(KBFromExamples(readSet(t, tt.set, "train")), trainedTriage())
			if err != nil {
				t.Fatalf("NewClassifier = %v", err)
			}
			r := Evaluate(c, readSet(t, tt.set, "dev"))
			t.Logf("%s: %+v", tt.set, r)
			check := func(name string, got, want float64) {
				if got < want {
					t.Errorf("Evaluate(%s) %s = %.4f, want >= %.3f", tt.set, name, got, want)
				}
			}
			check("top1", r.Top1, tt.top1)
			check("precision", r.Precision, tt.precision)
			check("coverage", r.Coverage, tt.coverage)
			check("oos_recall", r.OOSRecall, tt.oos)
			check("lang_accuracy", r.LangAccuracy, tt.lng)
		})
	}
}

// TestEvaluateLangID checks the language the bot detects, with seven
// candidate languages, on the language-identification sentences (es, en, pt,
// fr, de, it, ca). Reached 0.9820 on the 1,498 sentences when they replaced
// the multilingual tickets here (those reach 0.99, scripts/eval-full).
func TestEvaluateLangID(t *testing.T) {
	tr := trainedTriage()
	tr.Languages = []string{"es", "en", "pt", "fr", "de", "it", "ca"}
	c, err := NewClassifier(loadDefaultKB(t), tr)
	if err != nil {
		t.Fatal(err)
	}
	sentences := readSet(t, "langid", "sentences")
	r := Evaluate(c, sentences)
	t.Logf("langid sentences: %d, lang_accuracy %.4f", len(sentences), r.LangAccuracy)
	if r.LangAccuracy < 0.98 {
		t.Errorf("Evaluate(langid sentences) lang_accuracy = %.4f, want >= 0.98", r.LangAccuracy)
	}
}
