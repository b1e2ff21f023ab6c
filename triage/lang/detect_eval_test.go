// The evaluations on the dev splits are single-threaded numeric work that
// the race detector only slows tenfold; scripts/test runs them without it.

//go:build !race

package lang

import (
	"bufio"
	"encoding/json"
	"testing"

	"github.com/intake-support/intake/internal/repodata"
)

type evalLine struct{ Text, Lang, Kind string }

// loadEval reads testdata/eval/PATH.jsonl.gz; lines without a kind get kind.
func loadEval(t testing.TB, path, kind string) []evalLine {
	t.Helper()
	f, err := repodata.Open("eval/" + path + ".jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []evalLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var l evalLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if l.Kind == "" {
			l.Kind = kind
		}
		out = append(out, l)
	}
	return out
}

func TestDetectEvalSets(t *testing.T) {
	// The multilingual tickets may not be redistributed (CC BY-NC): their
	// figure comes from scripts/eval-full.
	lines := append(loadEval(t, "langid/word-pairs", ""), loadEval(t, "langid/sentences", "")...)
	lines = append(lines, loadEval(t, "it_tickets/dev", "it_tickets")...)
	d := New()
	ok, n := map[string]int{}, map[string]int{}
	for _, l := range lines {
		n[l.Kind]++
		// As the bot detects: es and en win unless another language clearly leads.
		got := d.DetectPrefer(l.Text, []string{"es", "en"}, 6).Lang
		if got == l.Lang {
			ok[l.Kind]++
		} else if testing.Verbose() && l.Kind != "word-pairs" && l.Kind != "sentences" {
			t.Logf("Detect(%q) = %s, want %s", l.Text, got, l.Lang)
		}
	}
	tickets, ticketsOK := 0, 0
	for k := range n {
		t.Logf("%s: %d/%d = %.4f", k, ok[k], n[k], float64(ok[k])/float64(n[k]))
		if k != "word-pairs" && k != "sentences" {
			tickets += n[k]
			ticketsOK += ok[k]
		}
	}
	acc := float64(ticketsOK) / float64(tickets)
	t.Logf("tickets: %.4f", acc)
	// The IT helpdesk tickets; with the multilingual tickets' subjects and
	// bodies this reached 0.9906 on dev (the target is 0.99).
	if acc < 0.99 {
		t.Errorf("ticket language accuracy = %.4f, want >= 0.99", acc)
	}
}
