package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/pprof"
	"slices"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/web"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/escalation"
	"github.com/intake-support/intake/httpapi"
	"github.com/intake-support/intake/metrics"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
	"github.com/intake-support/intake/store/redis"
	"github.com/intake-support/intake/triage"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"
)

// serve runs the gateway until ctx is cancelled (SIGINT, SIGTERM).
func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration `FILE`")
	httpAddr := fs.String("http", "", "listen `ADDR` for HTTP, overriding http.listen")
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	// Stamped before reading, so an edit made while the gateway starts is
	// still seen as a change by the reload watcher.
	stamp := fileStamp(*path)
	cfg, err := loadConfig(*path, stderr)
	if err != nil {
		return err
	}
	if *httpAddr != "" {
		cfg.HTTP.Listen = *httpAddr
	}
	logger := newLogger(cfg.Log, stderr)
	m := &Main{Config: cfg, Logger: logger, configStamp: stamp}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}

// Main is the running gateway: everything serve wires together.
type Main struct {
	Config   *config.Config
	Logger   *slog.Logger
	Store    store.Store
	Registry *prometheus.Registry
	Metrics  *channels.Metrics
	Ops      *metrics.Ops
	Worker   *channels.Worker
	Outbox   *channels.Outbox
	Adapters map[intake.Channel]channels.Adapter
	HTTP     *httpapi.Server
	Desk     *escalation.Desk
	levelOne *triage.LevelOne
	web      *web.Adapter
	listener net.Listener
	// configStamp identifies the version of the file Config was read from.
	configStamp string
	// runners are extra long-lived parts (timers, hot reload).
	runners []func(context.Context) error
}

// Open builds every part and takes the resources they need (store, ports), so
// that a problem is reported before anything starts serving.
func (m *Main) Open(ctx context.Context) error {
	var err error
	if m.Store, err = openStore(ctx, m.Config.Store, m.Config.Instance); err != nil {
		return err
	}
	if b, ok := m.Store.(*bolt.Store); ok {
		if d, l := b.TookBack(); d+l > 0 {
			m.Logger.Warn("took back the work of the process that had the store before", "deliveries", d, "leases", l)
		}
	}
	m.Registry = prometheus.NewRegistry()
	m.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if m.Metrics, err = channels.NewMetrics(m.Registry); err != nil {
		return err
	}
	if m.Ops, err = metrics.New(m.Registry); err != nil {
		return err
	}
	tiers := make([]intake.TierID, 0, len(m.Config.Tiers))
	for _, t := range m.Config.Tiers {
		tiers = append(tiers, t.ID)
	}
	m.Ops.InitTiers(tiers)
	q := m.Config.Queues
	m.Worker = &channels.Worker{Store: m.Store, Logger: m.Logger, Metrics: m.Metrics, Visibility: q.RedeliverAfter, MaxAttempts: q.MaxAttempts,
		Concurrency: q.Concurrency, Holder: m.Config.Instance}
	m.Outbox = &channels.Outbox{Store: m.Store, Logger: m.Logger, Metrics: m.Metrics, Visibility: q.RedeliverAfter, MaxAttempts: q.ReplyMaxAttempts,
		Concurrency: q.OutboxConcurrency, Holder: m.Config.Instance}
	m.Worker.Outbox = m.Outbox
	m.HTTP = httpapi.New(m.Store, m.Config.HTTP.APIToken, m.Registry, m.Logger)
	if m.Config.HTTP.Pprof {
		m.HTTP.Handle("/debug/pprof/", http.HandlerFunc(pprof.Index))
		m.HTTP.Handle("/debug/pprof/profile", http.HandlerFunc(pprof.Profile))
	}
	if err := m.wire(ctx); err != nil {
		return err
	}
	m.Outbox.Adapters = m.Adapters
	if err := metrics.RegisterState(m.Registry, m.Store, m.Adapters, m.Logger); err != nil {
		return err
	}
	m.Metrics.Init(slices.Collect(maps.Keys(m.Adapters)))
	m.warnUnreachable()
	if err := m.warnDurability(ctx); err != nil {
		return err
	}
	for ch, a := range m.Adapters {
		if r, ok := a.(channels.Readier); ok {
			m.HTTP.AddReadiness(string(ch), r.Ready)
		}
		if d, ok := a.(channels.Diagnoser); ok {
			m.HTTP.AddWarning(string(ch), d.SetupProblem)
		}
	}
	timers := &channels.TimerRunner{Store: m.Store, Inbox: m.Worker.Inbox(), Logger: m.Logger}
	m.runners = append(m.runners, timers.Run, m.watchConfig)
	if m.listener, err = net.Listen("tcp", m.Config.HTTP.Listen); err != nil {
		return fmt.Errorf("http: %w", err)
	}
	return nil
}

// Run serves until ctx is done, then drains: adapters stop taking messages,
// the worker and outbox finish what they hold, the HTTP server closes.
func (m *Main) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	// Timeouts bound what a slow or flooding client can hold open.
	srv := &http.Server{Handler: m.HTTP, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	g.Go(func() error {
		if err := srv.Serve(m.listener); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	})
	inbox := m.Worker.Inbox()
	for ch, a := range m.Adapters {
		g.Go(func() error {
			if err := a.Run(gctx, inbox); err != nil {
				// A set-up mistake (a refused intent) stops only its own
				// channel; the adapter logged it and /readyz shows it.
				if d, ok := a.(channels.Diagnoser); ok && d.SetupProblem() != nil {
					return nil
				}
				return fmt.Errorf("%s channel: %w", ch, err)
			}
			return nil
		})
	}
	g.Go(func() error { return m.Worker.Run(gctx) })
	g.Go(func() error { return m.Outbox.Run(gctx) })
	for _, run := range m.runners {
		g.Go(func() error { return run(gctx) })
	}
	names := make([]string, 0, len(m.Adapters))
	for ch := range m.Adapters {
		names = append(names, string(ch))
	}
	m.Logger.Info("intake serving", "http", m.listener.Addr().String(), "store", m.Config.Store.Kind, "channels", names, "version", versionString())
	err := g.Wait()
	if err != nil && ctx.Err() == nil {
		return err
	}
	m.Logger.Info("intake stopped")
	return nil
}

// Close releases the store.
func (m *Main) Close() {
	if m.listener != nil {
		_ = m.listener.Close()
	}
	if m.Store != nil {
		if err := m.Store.Close(); err != nil {
			m.Logger.Warn("close store", "err", err)
		}
	}
}

func openStore(ctx context.Context, cfg config.Store, instance string) (store.Store, error) {
	switch cfg.Kind {
	case config.StoreBolt:
		s, err := bolt.Open(cfg.Path)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		return s, nil
	case config.StoreRedis:
		s, err := redis.Open(ctx, cfg.URL, redis.WithInstance(instance))
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		return s, nil
	}
	return nil, fmt.Errorf("store: unknown kind %q", cfg.Kind)
}

func newLogger(cfg config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
