package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// benchRows are the row groups of `intake bench -rows`, in table order.
var benchRows = []string{"accept", "e2e", "imap", "storm", "triage", "latency", "rss"}

// parseRows reads -rows: "all" or a comma list of benchRows.
func parseRows(v string) (map[string]bool, error) {
	rows := map[string]bool{}
	for _, name := range strings.Split(v, ",") {
		switch name = strings.TrimSpace(name); {
		case name == "":
		case name == "all":
			for _, r := range benchRows {
				rows[r] = true
			}
		case slices.Contains(benchRows, name):
			rows[name] = true
		default:
			return nil, fmt.Errorf("-rows: unknown row %q (all, %s)", name, strings.Join(benchRows, ", "))
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("-rows: name at least one row (all, %s)", strings.Join(benchRows, ", "))
	}
	return rows, nil
}

// runs reports whether the row group is measured in this run.
func (o *benchOptions) runs(row string) bool { return o.rows[row] }

// cpuProfile fetches CPU profiles of the gateway gw, in consecutive chunks
// of two seconds, into dir as NAME-01.pprof, NAME-02.pprof... until the
// returned stop is called (it waits for the chunk under way).
// `go tool pprof -top BIN dir/NAME-*.pprof` merges them.
func cpuProfile(gw *benchGateway, dir, name string, logf func(string, ...any)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for n := 1; ; n++ {
			select {
			case <-done:
				return
			default:
			}
			if err := fetchProfile("http://"+gw.httpAddr+"/debug/pprof/profile?seconds=2",
				filepath.Join(dir, fmt.Sprintf("%s-%02d.pprof", name, n))); err != nil {
				logf("profile %s: %v", name, err)
				return
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

func fetchProfile(url, path string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s (is http.pprof on in this build?)", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
