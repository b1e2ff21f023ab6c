package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchSmoke runs `intake bench` with tiny sizes against this build
// (twice, as two columns, the way a before/after run names two binaries)
// and checks that every row is printed with a figure in each column. It
// asserts no speed: the full run is manual (docs/bench.md).
func TestBenchSmoke(t *testing.T) {
	for _, bin := range []string{"redis-server", "dovecot"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s needed under CI=true: %v", bin, err)
			}
			t.Skipf("%s not installed: %v", bin, err)
		}
	}
	cmd := exec.Command(binary, "bench", "-gateway", "one="+binary, "-gateway", "two="+binary,
		"-config", "../../config/example.yaml", "-triage", "../../testdata/eval/it_tickets/dev.jsonl.gz", "-triage-lines", "50",
		"-mails", "12", "-conns", "3", "-storm", "6", "-backlog", "8", "-latency", "2", "-rss-incidents", "200", "-rss-mails", "4", "-timeout", "2m")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	table := string(out)
	if err != nil {
		t.Fatalf("intake bench: %v\n%s\n%s", err, table, stderr.String())
	}
	t.Logf("\n%s", table)
	for _, row := range []string{
		"SMTP accept (250 after durable), bolt", "SMTP accept (250 after durable), redis",
		"end to end (mail in to reply written), bolt", "end to end (mail in to reply written), redis",
		"IMAP backlog intake (stored and moved, from Dovecot's EXISTS), bolt", "IMAP backlog intake (stored and moved, from Dovecot's EXISTS), redis",
		"outage storm, redis", "triage decisions/s",
		"first-reply latency p50 / p99, SMTP, bolt", "first-reply latency p50 / p99, SMTP, redis",
		"first-reply latency p50 / p99, IMAP IDLE, bolt", "first-reply latency p50 / p99, IMAP IDLE, redis",
		"peak RSS, 200 incidents stored, bolt", "peak RSS, 200 incidents stored, redis",
	} {
		line := lineWith(table, row)
		if line == "" {
			t.Errorf("no row %q in the table", row)
			continue
		}
		if cells := strings.Split(line, "|"); len(cells) != 7 {
			t.Errorf("row %q has %d cells, want 5 (measurement, limit, one, two, target): %s", row, len(cells)-2, line)
		}
		for _, bad := range []string{"failed", "not run"} {
			if strings.Contains(line, bad) {
				t.Errorf("row %q says %q: %s", row, bad, line)
			}
		}
	}
}

func lineWith(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "| "+prefix) {
			return l
		}
	}
	return ""
}

// TestBenchRowsOnly runs `intake bench -rows e2e -profile DIR` with a tiny
// burst on bolt: the table has the end-to-end row alone, and the gateway's
// CPU profile of the burst is written.
func TestBenchRowsOnly(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(binary, "bench", "-rows", "e2e", "-stores", "bolt", "-profile", dir,
		"-config", "../../config/example.yaml", "-mails", "12", "-conns", "3", "-timeout", "2m")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	table := string(out)
	if err != nil {
		t.Fatalf("intake bench: %v\n%s\n%s", err, table, stderr.String())
	}
	if lineWith(table, "end to end (mail in to reply written), bolt") == "" {
		t.Errorf("no end-to-end row in the table:\n%s", table)
	}
	for _, other := range []string{"SMTP accept", "IMAP backlog", "outage storm", "triage", "first-reply", "peak RSS"} {
		if lineWith(table, other) != "" {
			t.Errorf("row %q printed though -rows e2e:\n%s", other, table)
		}
	}
	if profiles, _ := filepath.Glob(filepath.Join(dir, "e2e-this-bolt-*.pprof")); len(profiles) == 0 {
		t.Errorf("no CPU profile written in %s; stderr:\n%s", dir, stderr.String())
	}
	if _, err := parseRows("e2e,nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("parseRows(e2e,nope) = %v, want an error naming nope", err)
	}
}
