package main

import (
	"fmt"
	"io"
	"strings"
)

// benchRow is one line of the table: a limit (or "-") and one cell per
// gateway, each with met / not met against the target when it has one.
type benchRow struct {
	// group is the row's name in -rows.
	group               string
	name, limit, target string
	cell                func(res *benchResults) string
}

// printBenchTable prints the rows as a Markdown table.
func printBenchTable(w io.Writer, o *benchOptions, r *benchRun) {
	lim := r.limits
	var rows []benchRow
	for _, st := range o.stores {
		rows = append(rows, benchRow{
			group:  "accept",
			name:   fmt.Sprintf("SMTP accept (250 after durable), %s, %d mails / %d conns", st, o.mails, o.conns),
			limit:  valueOr(lim, "smtp", "raw go-smtp %.0f/s"),
			target: ">= 25% of raw go-smtp",
			cell:   ratioCell("accept/"+st, lim, "smtp", 0.25),
		})
	}
	for _, st := range o.stores {
		want := map[string]float64{"bolt": 1000, "redis": 2000}[st]
		rows = append(rows, benchRow{
			group:  "e2e",
			name:   fmt.Sprintf("end to end (mail in to reply written), %s, %d-mail burst", st, o.mails),
			limit:  "-",
			target: fmt.Sprintf(">= %.0f msgs/s", want),
			cell:   atLeastCell("e2e/"+st, "%.0f msgs/s", want),
		})
	}
	for _, st := range o.stores {
		rows = append(rows, benchRow{
			group:  "imap",
			name:   fmt.Sprintf("IMAP backlog intake (stored and moved, from Dovecot's EXISTS), %s, %d messages", st, o.backlog),
			limit:  valueOr(lim, "fetch", "raw UID FETCH %.0f/s"),
			target: ">= 10% of raw fetch",
			cell:   ratioCell("imap/"+st, lim, "fetch", 0.10),
		})
	}
	rows = append(rows,
		benchRow{
			group:  "storm",
			name:   fmt.Sprintf("outage storm, %s: %d similar urgent reports vs %d distinct requests (first mail to last reply)", o.stormStore, o.storm, o.storm),
			limit:  "-",
			target: "similar <= 2x distinct",
			cell:   stormCell,
		},
		benchRow{
			group:  "triage",
			name:   "triage decisions/s (intake eval on " + o.triageData + ")",
			limit:  "-",
			target: "-",
			cell:   atLeastCell("triage", "%.0f/s", 0),
		})
	idleLimit := "-"
	if p50, ok := lim.vals["idle/p50"]; ok {
		idleLimit = fmt.Sprintf("IDLE notification %.3f s / %.3f s", p50, lim.vals["idle/p99"])
	} else if _, failed := lim.errs["idle"]; failed {
		idleLimit = missingCell(lim, "idle")
	}
	for _, path := range []struct{ key, name, limit string }{{"latsmtp", "SMTP", "-"}, {"latidle", "IMAP IDLE", idleLimit}} {
		for _, st := range o.stores {
			rows = append(rows, benchRow{
				group:  "latency",
				name:   fmt.Sprintf("first-reply latency p50 / p99, %s, %s, idle gateway (%d mails)", path.name, st, o.latency),
				limit:  path.limit,
				target: "p99 < 1 s",
				cell:   latencyCell(path.key + "/" + st),
			})
		}
	}
	for _, st := range o.stores {
		rows = append(rows, benchRow{
			group:  "rss",
			name:   fmt.Sprintf("peak RSS, %d incidents stored, %s", o.rssIncidents, st),
			limit:  "-",
			target: "< 128 MB",
			cell:   rssCell("rss/" + st),
		})
	}

	head := []string{"measurement", "limit"}
	for _, g := range o.gateways {
		head = append(head, g.name)
	}
	head = append(head, "target")
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
	for _, row := range rows {
		if !o.runs(row.group) {
			continue
		}
		line := []string{row.name, row.limit}
		for _, g := range o.gateways {
			line = append(line, row.cell(r.res[g.name]))
		}
		line = append(line, row.target)
		fmt.Fprintf(w, "| %s |\n", strings.Join(line, " | "))
	}
	for _, g := range o.gateways {
		fmt.Fprintf(w, "\n%s: %s", g.name, g.bin)
	}
	fmt.Fprintln(w)
	for key, msg := range lim.errs {
		fmt.Fprintf(w, "\n%s: failed: %s", key, msg)
	}
	if len(lim.errs) > 0 {
		fmt.Fprintln(w)
	}
}

func valueOr(res *benchResults, key, format string) string {
	if v, ok := res.vals[key]; ok {
		return fmt.Sprintf(format, v)
	}
	return missingCell(res, key)
}

// missingCell says why a figure is absent.
func missingCell(res *benchResults, key string) string {
	if res == nil {
		return "not run"
	}
	if msg, ok := res.errs[key]; ok {
		if len(msg) > 80 {
			msg = msg[:80] + "..."
		}
		return "failed: " + strings.ReplaceAll(msg, "|", "/")
	}
	return "not run"
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT MET"
}

// ratioCell shows a rate and its share of the limit against the wanted share.
func ratioCell(key string, lim *benchResults, limKey string, want float64) func(*benchResults) string {
	return func(res *benchResults) string {
		v, ok := res.vals[key]
		if !ok {
			return missingCell(res, key)
		}
		l, ok := lim.vals[limKey]
		if !ok || l == 0 {
			return fmt.Sprintf("%.0f/s", v)
		}
		return fmt.Sprintf("%.0f/s (%.1f%%) %s", v, 100*v/l, met(v/l >= want))
	}
}

// atLeastCell shows a figure and, when want > 0, whether it reaches want.
func atLeastCell(key, format string, want float64) func(*benchResults) string {
	return func(res *benchResults) string {
		v, ok := res.vals[key]
		if !ok {
			return missingCell(res, key)
		}
		if want <= 0 {
			return fmt.Sprintf(format, v)
		}
		return fmt.Sprintf(format+" %s", v, met(v >= want))
	}
}

func stormCell(res *benchResults) string {
	s, ok := res.vals["storm/similar"]
	if !ok {
		return missingCell(res, "storm/similar")
	}
	d, ok := res.vals["storm/distinct"]
	if !ok {
		return missingCell(res, "storm/distinct")
	}
	times := seconds(res, "storm/similar") + " vs " + seconds(res, "storm/distinct")
	switch {
	case res.vals["storm/distinct/unanswered"] > 0:
		return times + ", ratio unknown"
	case res.vals["storm/similar/unanswered"] > 0 && s <= 2*d:
		return fmt.Sprintf("%s = > %.2fx, unknown", times, s/d)
	case res.vals["storm/similar/unanswered"] > 0:
		return fmt.Sprintf("%s = > %.2fx %s", times, s/d, met(false))
	}
	return fmt.Sprintf("%s = %.2fx %s", times, s/d, met(s <= 2*d))
}

// seconds shows a time, as a lower bound when some mails were unanswered
// when it was taken.
func seconds(res *benchResults, key string) string {
	if n := res.vals[key+"/unanswered"]; n > 0 {
		return fmt.Sprintf("> %.1f s (%.0f unanswered)", res.vals[key], n)
	}
	return fmt.Sprintf("%.1f s", res.vals[key])
}

func latencyCell(key string) func(*benchResults) string {
	return func(res *benchResults) string {
		p50, ok := res.vals[key+"/p50"]
		if !ok {
			return missingCell(res, key)
		}
		p99 := res.vals[key+"/p99"]
		return fmt.Sprintf("%.3f s / %.3f s %s", p50, p99, met(p99 < 1))
	}
}

func rssCell(key string) func(*benchResults) string {
	return func(res *benchResults) string {
		v, ok := res.vals[key]
		if !ok {
			return missingCell(res, key)
		}
		mb := v / (1 << 20)
		return fmt.Sprintf("%.0f MB %s (at the end %.0f MB, of which %.0f MB mapped files: the binary, the store)",
			mb, met(mb < 128), res.vals[key+"/now"]/(1<<20), res.vals[key+"/file"]/(1<<20))
	}
}
