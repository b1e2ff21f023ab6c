package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// `intake bench` measures, in one run, the limits of this machine (go-smtp
// accepting and storing nothing, a raw IMAP UID FETCH) and the gateway beside
// them: SMTP accept, end to end, IMAP backlog intake, an outage storm,
// triage decisions, first-reply latency and RSS with a large store. The
// gateway is a real `intake serve` subprocess with a configuration generated
// from the example one, so -gateway can name older builds measured in the
// same run, side by side. docs/bench.md explains the rows and the targets.

// benchOptions are the flags of `intake bench`; every size is a flag so a
// smoke run can be tiny.
type benchOptions struct {
	gateways     []namedGateway
	example      string
	redisURL     string
	stores       []string
	mails, conns int
	storm        int
	stormStore   string
	backlog      int
	latency      int
	rssIncidents int
	rssMails     int
	triageData   string
	triageLines  int
	timeout      time.Duration
	keep         bool
	rows         map[string]bool
	profile      string
}

// namedGateway is a binary measured in a column of its own.
type namedGateway struct{ name, bin string }

type gatewayFlag struct{ list *[]namedGateway }

func (f gatewayFlag) String() string { return "" }
func (f gatewayFlag) Set(v string) error {
	name, bin, ok := strings.Cut(v, "=")
	if !ok || name == "" || bin == "" {
		return fmt.Errorf("want NAME=PATH, got %q", v)
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("gateway %s: %w", name, err)
	}
	*f.list = append(*f.list, namedGateway{name, abs})
	return nil
}

func parseBenchFlags(args []string, stderr io.Writer) (*benchOptions, error) {
	o := &benchOptions{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(gatewayFlag{&o.gateways}, "gateway", "`NAME=PATH` of an intake binary to measure, in a column of its own (repeat it; default: this binary)")
	fs.StringVar(&o.example, "config", "config/example.yaml", "the example configuration `FILE` the gateways' configurations are made from (its kb/ folder too)")
	fs.StringVar(&o.redisURL, "redis", "", "a Redis `URL` to use (keys under a fresh prefix) instead of starting a redis-server with appendfsync always")
	stores := fs.String("stores", "bolt,redis", "the stores the per-store rows run on")
	fs.IntVar(&o.mails, "mails", 3000, "mails in the SMTP burst (accept and end to end)")
	fs.IntVar(&o.conns, "conns", 8, "SMTP connections the burst is sent over")
	fs.IntVar(&o.storm, "storm", 2000, "mails of the outage storm, and of the distinct requests it is compared with")
	fs.StringVar(&o.stormStore, "storm-store", "redis", "the store of the outage storm")
	fs.IntVar(&o.backlog, "backlog", 1000, "messages of the IMAP backlog")
	fs.IntVar(&o.latency, "latency", 20, "mails sent one at a time to an idle gateway for the first-reply latency, per path")
	fs.IntVar(&o.rssIncidents, "rss-incidents", 100000, "incidents stored before the RSS run")
	fs.IntVar(&o.rssMails, "rss-mails", 300, "mails handled during the RSS run")
	fs.StringVar(&o.triageData, "triage", "testdata/eval/it_tickets/dev.jsonl.gz", "`FILE` of texts (eval format, .gz allowed) for triage decisions/s")
	fs.IntVar(&o.triageLines, "triage-lines", 0, "use only the first `N` lines of -triage (0: all)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "the longest wait for one measurement's replies")
	rows := fs.String("rows", "all", "the rows to measure, a comma list of "+strings.Join(benchRows, ", ")+", or all")
	fs.StringVar(&o.profile, "profile", "", "write CPU profiles of each gateway during the end-to-end burst and the outage storm into `DIR` (the gateway serves them with http.pprof on)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temp dir (gateway logs, stores, outboxes) and print its path")
	if err := fs.Parse(args); err != nil {
		return nil, exitCode(2)
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: intake bench [flags]; see intake bench -h")
		return nil, exitCode(2)
	}
	var err error
	if o.rows, err = parseRows(*rows); err != nil {
		return nil, err
	}
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return nil, fmt.Errorf("-profile: %w", err)
		}
	}
	for _, s := range strings.Split(*stores, ",") {
		if s = strings.TrimSpace(s); s != "" {
			if s != "bolt" && s != "redis" {
				return nil, fmt.Errorf("-stores: unknown store %q (bolt, redis)", s)
			}
			o.stores = append(o.stores, s)
		}
	}
	if o.stormStore != "bolt" && o.stormStore != "redis" {
		return nil, fmt.Errorf("-storm-store: unknown store %q (bolt, redis)", o.stormStore)
	}
	for name, v := range map[string]int{"-mails": o.mails, "-conns": o.conns, "-storm": o.storm, "-backlog": o.backlog, "-latency": o.latency, "-rss-mails": o.rssMails} {
		if v < 1 {
			return nil, fmt.Errorf("%s must be at least 1, got %d", name, v)
		}
	}
	if len(o.gateways) == 0 {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find this binary: %w", err)
		}
		o.gateways = []namedGateway{{"this", self}}
	}
	return o, nil
}

// bench runs every measurement and prints the table on stdout; progress and
// failures go to stderr. A failed measurement leaves its cell marked and
// makes the command exit 1 after the table.
func bench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseBenchFlags(args, stderr)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "intake-bench-*")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintf(stderr, "bench: files kept in %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	r := &benchRun{o: o, dir: dir, log: stderr, res: map[string]*benchResults{}, limits: newBenchResults()}
	defer r.close()
	r.measure(ctx)
	printBenchTable(stdout, o, r)
	if r.failed {
		return errors.New("some measurements failed (see above); their cells say so")
	}
	return nil
}
