package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// benchResults holds one column's figures by key ("accept/bolt"...) and the
// errors of the measurements that failed.
type benchResults struct {
	vals map[string]float64
	errs map[string]string
}

func newBenchResults() *benchResults {
	return &benchResults{vals: map[string]float64{}, errs: map[string]string{}}
}

// benchRun is one `intake bench`: its peers, and the results per gateway.
type benchRun struct {
	o       *benchOptions
	dir     string
	log     io.Writer
	redis   string
	dovecot *benchDovecot
	stops   []func()
	res     map[string]*benchResults
	limits  *benchResults
	failed  bool
	seq     int
}

func (r *benchRun) close() {
	for _, stop := range slices.Backward(r.stops) {
		stop()
	}
}

func (r *benchRun) logf(format string, args ...any) {
	fmt.Fprintf(r.log, "bench: "+format+"\n", args...)
}

// fail records a measurement's error in res.
func (r *benchRun) fail(res *benchResults, key string, err error) {
	r.failed = true
	res.errs[key] = err.Error()
	r.logf("%s failed: %v", key, err)
}

// runID names the mails of one measurement so replies never mix.
func (r *benchRun) runID(kind string) string {
	r.seq++
	return fmt.Sprintf("b%d%s", r.seq, kind)
}

func (r *benchRun) measure(ctx context.Context) {
	r.startPeers()
	r.measureLimits(ctx)
	for _, g := range r.o.gateways {
		res := newBenchResults()
		r.res[g.name] = res
		for _, st := range r.o.stores {
			if ctx.Err() == nil && (r.o.runs("latency") || r.o.runs("accept") || r.o.runs("e2e") || r.o.runs("imap")) {
				r.measureStore(ctx, g, st, res)
			}
		}
		if ctx.Err() == nil && r.o.runs("storm") {
			r.measureStorm(ctx, g, res)
		}
		if ctx.Err() == nil && r.o.runs("triage") {
			r.measureTriage(g, res)
		}
		for _, st := range r.o.stores {
			if ctx.Err() == nil && r.o.runs("rss") {
				r.measureRSS(ctx, g, st, res)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		r.fail(r.limits, "interrupted", err)
	}
}

// startPeers starts Redis (unless -redis) and Dovecot; a missing one is
// recorded and its rows are marked, the others still run.
func (r *benchRun) startPeers() {
	if slices.Contains(r.o.stores, "redis") || (r.o.runs("storm") && r.o.stormStore == "redis") {
		if r.o.redisURL != "" {
			r.redis = r.o.redisURL
		} else if url, stop, err := startBenchRedis(r.dir); err != nil {
			r.fail(r.limits, "redis", err)
		} else {
			r.redis, r.stops = url, append(r.stops, stop)
		}
	}
	if !r.o.runs("imap") && !r.o.runs("latency") {
		return // no row needs Dovecot
	}
	users := 3 + 2*len(r.o.gateways)*len(r.o.stores)
	d, stop, err := startBenchDovecot(r.dir, users)
	if err != nil {
		r.fail(r.limits, "dovecot", err)
		return
	}
	r.dovecot, r.stops = d, append(r.stops, stop)
}

func (r *benchRun) measureLimits(ctx context.Context) {
	if r.o.runs("accept") {
		r.logf("limit: raw go-smtp accept, %d mails over %d connections", r.o.mails, r.o.conns)
		if v, err := rawSMTPAccept(mails(r.runID("raw"), "raw", r.o.mails, "No puedo entrar", passwordText), r.o.conns); err != nil {
			r.fail(r.limits, "smtp", err)
		} else {
			r.limits.vals["smtp"] = v
		}
	}
	if r.dovecot == nil {
		return
	}
	if r.o.runs("imap") {
		r.rawFetchLimit()
	}
	if r.o.runs("latency") || r.o.runs("imap") { // the IMAP row leaves Dovecot's delay out
		r.idleLimit(ctx)
	}
}

// rawFetchLimit measures one UID FETCH of the backlog's size.
func (r *benchRun) rawFetchLimit() {
	r.logf("limit: raw IMAP UID FETCH of %d messages", r.o.backlog)
	v, err := func() (float64, error) {
		a, err := r.dovecot.account()
		if err != nil {
			return 0, err
		}
		c, err := dialAccount(a)
		if err != nil {
			return 0, err
		}
		defer c.Close()
		if err := appendAll(c, "Backlog", mails(r.runID("fetch"), "fetch", r.o.backlog, "No puedo entrar", passwordText)); err != nil {
			return 0, err
		}
		return rawFetch(c, "Backlog", r.o.backlog)
	}()
	if err != nil {
		r.fail(r.limits, "fetch", err)
	} else {
		r.limits.vals["fetch"] = v
	}
}

// idleLimit measures how long Dovecot takes to tell an idling client of
// new mail.
func (r *benchRun) idleLimit(ctx context.Context) {
	r.logf("limit: IMAP IDLE notification, %d appends", r.o.latency)
	took, err := func() ([]time.Duration, error) {
		a, err := r.dovecot.account()
		if err != nil {
			return nil, err
		}
		return rawIdleNotify(ctx, a, mails(r.runID("notify"), "notify", r.o.latency, "No puedo entrar", passwordText))
	}()
	if err != nil {
		r.fail(r.limits, "idle", err)
	} else {
		r.limits.setPercentiles("idle", took)
	}
}

// storeSpec is the store line of a gateway run on kind.
func (r *benchRun) storeSpec(kind string) (string, error) {
	if kind == "bolt" {
		return "bolt:data/intake.db", nil
	}
	if r.redis == "" {
		return "", fmt.Errorf("no Redis (see the redis error above)")
	}
	return redisPrefixed(r.redis), nil
}

// runGateway prepares a gateway run, lets prepare fill its store, starts it,
// calls fn and stops it.
func (r *benchRun) runGateway(ctx context.Context, g namedGateway, kind string, imap *imapAccount,
	prepare func(spec, dir string) error, fn func(gw *benchGateway) error) error {
	spec, err := r.storeSpec(kind)
	if err != nil {
		return err
	}
	gw, cfg, err := newGatewayDir(r.dir, gatewaySetup{bin: g.bin, example: r.o.example, store: spec, imap: imap, pprof: r.o.profile != ""})
	if err != nil {
		return err
	}
	if prepare != nil {
		if err := prepare(spec, gw.dir); err != nil {
			return err
		}
	}
	if err := gw.start(ctx, g.bin, cfg); err != nil {
		return err
	}
	defer gw.stop()
	return fn(gw)
}

// measureStore runs, on one gateway and store: first-reply latency over SMTP
// and IMAP IDLE while idle, the SMTP burst (accept and end to end), then the
// IMAP backlog.
func (r *benchRun) measureStore(ctx context.Context, g namedGateway, kind string, res *benchResults) {
	r.logf("%s on %s: latency, SMTP burst of %d, IMAP backlog of %d", g.name, kind, r.o.mails, r.o.backlog)
	var acct *imapAccount
	needIMAP := r.o.runs("imap") || r.o.runs("latency")
	switch {
	case !needIMAP:
	case r.dovecot == nil:
		r.fail(res, "imap/"+kind, errors.New("no Dovecot"))
		r.fail(res, "latidle/"+kind, errors.New("no Dovecot"))
	default:
		a, err := r.dovecot.account()
		if err != nil {
			r.fail(res, "imap/"+kind, err)
		} else {
			acct = &a
		}
	}
	prepare := func(string, string) error {
		if acct == nil || !r.o.runs("imap") {
			return nil
		}
		c, err := dialAccount(*acct)
		if err != nil {
			return err
		}
		defer c.Close()
		return appendAll(c, "Backlog", mails(r.runID("backlog"), "backlog", r.o.backlog, "No puedo entrar", passwordText))
	}
	err := r.runGateway(ctx, g, kind, acct, prepare, func(gw *benchGateway) error {
		w := newReplyWatch(gw.outbox)
		if r.o.runs("latency") {
			r.latencySMTP(ctx, gw, w, kind, res)
			if acct != nil {
				r.latencyIDLE(ctx, *acct, w, kind, res)
			}
		}
		if r.o.runs("accept") || r.o.runs("e2e") {
			r.burst(ctx, g, gw, w, kind, res)
		}
		if acct != nil && r.o.runs("imap") {
			if r.o.profile != "" {
				stop := cpuProfile(gw, r.o.profile, "imap-"+g.name+"-"+kind, r.logf)
				defer stop()
			}
			r.backlog(ctx, *acct, kind, res)
		}
		return nil
	})
	if err != nil {
		r.fail(res, "gateway/"+kind, err)
	}
}

// burst sends the SMTP burst and times its accept and its replies, with
// CPU profiles of the gateway meanwhile under -profile.
func (r *benchRun) burst(ctx context.Context, g namedGateway, gw *benchGateway, w *replyWatch, kind string, res *benchResults) {
	ms := mails(r.runID("burst"), "burst", r.o.mails, "No puedo entrar", passwordText)
	if r.o.profile != "" {
		stop := cpuProfile(gw, r.o.profile, "e2e-"+g.name+"-"+kind, r.logf)
		defer stop()
	}
	b, err := sendBurst(gw.smtpAddr, ms, r.o.conns)
	if err != nil {
		r.fail(res, "accept/"+kind, err)
		return
	}
	res.vals["accept/"+kind] = b.perSecond(len(ms))
	last, missing, err := w.wait(ctx, idsOf(ms), r.o.timeout)
	if err != nil || missing > 0 {
		r.fail(res, "e2e/"+kind, fmt.Errorf("%d of %d mails unanswered after %s (%v)", missing, len(ms), r.o.timeout, err))
	} else {
		res.vals["e2e/"+kind] = rate(len(ms), last.Sub(b.start))
	}
}

func (r *benchRun) backlog(ctx context.Context, acct imapAccount, kind string, res *benchResults) {
	c, err := dialAccount(acct)
	if err != nil {
		r.fail(res, "imap/"+kind, err)
		return
	}
	defer c.Close()
	took, err := backlogIntake(ctx, c, r.o.backlog, r.o.timeout)
	if err != nil {
		r.fail(res, "imap/"+kind, err)
		return
	}
	// The gateway learns of the messages when Dovecot sends EXISTS, about
	// half a second after the move: that wait, measured among the limits,
	// is Dovecot's and is not counted. (It used to be counted whenever the
	// whole took less than twice that wait, which a fast gateway does.)
	if notify := time.Duration(r.limits.vals["idle/p50"] * float64(time.Second)); took > notify {
		took -= notify
	}
	res.vals["imap/"+kind] = rate(r.o.backlog, took)
}

// latencySMTP sends mails one at a time, each when the previous one is
// answered, and records p50 and p99 from send to reply written.
func (r *benchRun) latencySMTP(ctx context.Context, gw *benchGateway, w *replyWatch, kind string, res *benchResults) {
	ms := mails(r.runID("lat"), "lat", r.o.latency, "No puedo entrar", passwordText)
	r.latency(ctx, w, "latsmtp/"+kind, ms, res, func(m benchMail) error {
		_, err := sendBurst(gw.smtpAddr, []benchMail{m}, 1)
		return err
	})
}

// latencyIDLE appends mails to the INBOX the gateway idles on.
func (r *benchRun) latencyIDLE(ctx context.Context, acct imapAccount, w *replyWatch, kind string, res *benchResults) {
	c, err := dialAccount(acct)
	if err != nil {
		r.fail(res, "latidle/"+kind, err)
		return
	}
	defer c.Close()
	ms := mails(r.runID("idle"), "idle", r.o.latency, "No puedo entrar", passwordText)
	r.latency(ctx, w, "latidle/"+kind, ms, res, func(m benchMail) error { return appendOne(c, "INBOX", m) })
}

func (r *benchRun) latency(ctx context.Context, w *replyWatch, key string, ms []benchMail, res *benchResults, send func(benchMail) error) {
	var took []time.Duration
	for _, m := range ms {
		_ = untilCtx(ctx, 100*time.Millisecond) // idle between mails
		start := time.Now()
		if err := send(m); err != nil {
			r.fail(res, key, err)
			return
		}
		last, missing, err := w.wait(ctx, []string{m.id}, r.o.timeout)
		if err != nil || missing > 0 {
			r.fail(res, key, fmt.Errorf("no reply to %s after %s (%v)", m.id, r.o.timeout, err))
			return
		}
		took = append(took, max(0, last.Sub(start)))
	}
	res.setPercentiles(key, took)
}

// setPercentiles records p50 and p99 of took, in seconds.
func (res *benchResults) setPercentiles(key string, took []time.Duration) {
	slices.Sort(took)
	res.vals[key+"/p50"] = percentile(took, 50).Seconds()
	res.vals[key+"/p99"] = percentile(took, 99).Seconds()
}

// percentile is the nearest-rank percentile of sorted.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (p*len(sorted)+99)/100 - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// measureStorm times the outage storm and as many distinct requests, each
// on a fresh gateway: first mail sent to last reply written.
func (r *benchRun) measureStorm(ctx context.Context, g namedGateway, res *benchResults) {
	r.logf("%s on %s: outage storm of %d and %d distinct requests", g.name, r.o.stormStore, r.o.storm, r.o.storm)
	for _, k := range []struct{ key, subject, body string }{
		{"storm/similar", "Correo caído", outageText},
		{"storm/distinct", "No puedo entrar", passwordText},
	} {
		err := r.runGateway(ctx, g, r.o.stormStore, nil, nil, func(gw *benchGateway) error {
			ms := mails(r.runID("storm"), "storm", r.o.storm, k.subject, k.body)
			if r.o.profile != "" {
				stop := cpuProfile(gw, r.o.profile, strings.ReplaceAll(k.key, "/", "-")+"-"+g.name, r.logf)
				defer stop()
			}
			b, err := sendBurst(gw.smtpAddr, ms, r.o.conns)
			if err != nil {
				return err
			}
			last, missing, err := newReplyWatch(gw.outbox).wait(ctx, idsOf(ms), r.o.timeout)
			if err != nil {
				return err
			}
			if missing > 0 {
				// Too slow to finish within -timeout: the time is a lower
				// bound, and the cell says how many were still unanswered.
				r.logf("%s: %d of %d mails unanswered after %s", k.key, missing, len(ms), r.o.timeout)
				last = time.Now()
				res.vals[k.key+"/unanswered"] = float64(missing)
			}
			res.vals[k.key] = last.Sub(b.start).Seconds()
			return nil
		})
		if err != nil {
			r.fail(res, k.key, err)
		}
	}
}

// measureTriage runs `intake eval` of the gateway binary on the texts and
// reads its msgs_per_s.
func (r *benchRun) measureTriage(g namedGateway, res *benchResults) {
	r.logf("%s: triage decisions/s on %s", g.name, r.o.triageData)
	err := func() error {
		gw, cfg, err := newGatewayDir(r.dir, gatewaySetup{bin: g.bin, example: r.o.example})
		if err != nil {
			return err
		}
		data := filepath.Join(gw.dir, "triage.jsonl")
		if err := copyLines(r.o.triageData, data, r.o.triageLines); err != nil {
			return err
		}
		out, err := exec.Command(g.bin, "eval", "-config", cfg, "-json", data).Output()
		if err != nil {
			return fmt.Errorf("%s eval: %w", g.bin, err)
		}
		var rep struct {
			MsgsPerS float64 `json:"msgs_per_s"`
		}
		if err := json.Unmarshal(out, &rep); err != nil {
			return fmt.Errorf("read %s eval -json: %w", g.bin, err)
		}
		res.vals["triage"] = rep.MsgsPerS
		return nil
	}()
	if err != nil {
		r.fail(res, "triage", err)
	}
}

// copyLines copies up to n lines (0: all) of a text file, gunzipped if it
// ends in .gz.
func copyLines(from, to string, n int) error {
	f, err := os.Open(from)
	if err != nil {
		return err
	}
	defer f.Close()
	var in io.Reader = f
	if strings.HasSuffix(from, ".gz") {
		z, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", from, err)
		}
		in = z
	}
	var out strings.Builder
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for i := 0; sc.Scan() && (n == 0 || i < n); i++ {
		out.WriteString(sc.Text() + "\n")
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	return os.WriteFile(to, []byte(out.String()), 0o644)
}

// measureRSS preloads the store, starts the gateway, has it handle a few
// mails and reads its peak RSS.
func (r *benchRun) measureRSS(ctx context.Context, g namedGateway, kind string, res *benchResults) {
	key := "rss/" + kind
	r.logf("%s on %s: peak RSS with %d incidents stored", g.name, kind, r.o.rssIncidents)
	prepare := func(spec, dir string) error {
		start := time.Now()
		if err := preloadIncidents(ctx, spec, dir, r.o.rssIncidents); err != nil {
			return err
		}
		r.logf("preloaded %d incidents in %s", r.o.rssIncidents, time.Since(start).Round(time.Millisecond))
		return nil
	}
	err := r.runGateway(ctx, g, kind, nil, prepare, func(gw *benchGateway) error {
		ms := mails(r.runID("rss"), "rss", r.o.rssMails, "No puedo entrar", passwordText)
		if _, err := sendBurst(gw.smtpAddr, ms, r.o.conns); err != nil {
			return err
		}
		if _, missing, err := newReplyWatch(gw.outbox).wait(ctx, idsOf(ms), r.o.timeout); err != nil || missing > 0 {
			return fmt.Errorf("%d of %d mails unanswered after %s (%v)", missing, len(ms), r.o.timeout, err)
		}
		peak, now, file, err := gw.memory()
		if err != nil {
			return err
		}
		res.vals[key], res.vals[key+"/now"], res.vals[key+"/file"] = float64(peak), float64(now), float64(file)
		return nil
	})
	if err != nil {
		r.fail(res, key, err)
	}
}
