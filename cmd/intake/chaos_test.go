package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// chaosRow is one line of the chaos table: mails sent (distinct), those
// acknowledged with a 250, acknowledged mails never answered (lost), extra
// answers (duplicated), and the longest time from a recovery (restart, Redis
// back) to the first answer to a new mail.
type chaosRow struct {
	name                    string
	ran                     bool
	sent, acked, lost, dups int
	recover                 time.Duration
}

// TestChaos runs the gateway through faults on loopback and prints the
// table. By default it is the short version CI runs (a few kills, small
// counts, storms of seconds); INTAKE_CHAOS=1 runs the full one (20 kills per
// store, 20 s storms, 6 Discord drops). Lost and
// duplicated must be 0 in every row; the recovery times are reported.
func TestChaos(t *testing.T) {
	kills, perRound := 3, 8
	if os.Getenv("INTAKE_CHAOS") == "1" {
		kills, perRound = 20, 20
	}
	var mu sync.Mutex
	var rows []chaosRow // in the order the rows were started; ran is false for skipped ones
	runOn := func(t *testing.T, parallel bool, name string, fn func(t *testing.T) chaosRow) {
		mu.Lock()
		slot := len(rows)
		rows = append(rows, chaosRow{name: name})
		mu.Unlock()
		t.Run(name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			r := fn(t)
			r.name, r.ran = name, true
			mu.Lock()
			rows[slot] = r
			mu.Unlock()
			if r.lost != 0 || r.dups != 0 {
				t.Errorf("%s: %d lost, %d duplicated, want 0 and 0", name, r.lost, r.dups)
			}
		})
	}
	run := func(name string, fn func(t *testing.T) chaosRow) { runOn(t, false, name, fn) }
	run(fmt.Sprintf("kill -9 x%d during SMTP intake, bolt", kills), func(t *testing.T) chaosRow {
		cfg := exampleConfig(t)
		smtpAddr := replaceSMTPPort(t, cfg)
		setStore(t, cfg, "bolt:data/intake.db", "chaos")
		return chaosKills(t, cfg, smtpAddr, kills, perRound)
	})
	run(fmt.Sprintf("kill -9 x%d during SMTP intake, redis", kills), func(t *testing.T) chaosRow {
		requireRedisAt(t, "127.0.0.1:6379")
		cfg := exampleConfig(t)
		smtpAddr := replaceSMTPPort(t, cfg)
		setStore(t, cfg, chaosRedisURL("127.0.0.1:6379"), "chaos")
		return chaosKills(t, cfg, smtpAddr, kills, perRound)
	})
	run("two instances on one Redis, one killed", func(t *testing.T) chaosRow {
		requireRedisAt(t, "127.0.0.1:6379")
		return chaosTwoInstances(t, perRound*2)
	})
	run("Redis restart mid-stream (appendfsync always, redeliver 5s)", func(t *testing.T) chaosRow {
		return chaosRedisRestart(t, perRound*2)
	})
	// The channel rows: storms of refusals and dropped connections, short
	// in CI. Discord's reconnect delay doubles with each drop (1 s, 2 s, ...
	// up to 2 minutes): 6 drops in a row already wait about 70 s in all.
	stormHalf, drops := time.Second, 2
	if os.Getenv("INTAKE_CHAOS") == "1" {
		stormHalf, drops = 10*time.Second, 6
	}
	// The channel rows wait on storms and reconnections more than they
	// work: they run side by side, each with a gateway and peers of its own.
	t.Run("channels", func(t *testing.T) {
		runOn(t, true, fmt.Sprintf("relay 4xx %s then 554/530 %s, 550 5.1.1 to dead", stormHalf, stormHalf), func(t *testing.T) chaosRow {
			return chaosRelayStorm(t, perRound*2, stormHalf)
		})
		runOn(t, true, fmt.Sprintf("Slack 429 storm %s (answers and cards)", stormHalf*2), func(t *testing.T) chaosRow {
			return chaosSlack429(t, perRound, stormHalf*2)
		})
		runOn(t, true, fmt.Sprintf("Discord gateway dropped x%d while customers write", drops), func(t *testing.T) chaosRow {
			return chaosDiscordDrops(t, perRound, drops)
		})
	})
	var b strings.Builder
	fmt.Fprintf(&b, "\n| %-62s | %5s | %5s | %4s | %4s | %10s |\n", "row", "sent", "acked", "lost", "dup", "recover")
	fmt.Fprintf(&b, "|%s|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 64), strings.Repeat("-", 7), strings.Repeat("-", 7), strings.Repeat("-", 6), strings.Repeat("-", 6), strings.Repeat("-", 12))
	for _, r := range rows {
		if !r.ran {
			continue
		}
		fmt.Fprintf(&b, "| %-62s | %5d | %5d | %4d | %4d | %10s |\n", r.name, r.sent, r.acked, r.lost, r.dups, r.recover.Round(time.Millisecond))
	}
	t.Log(b.String())
}

func chaosRedisURL(addr string) string {
	return "redis://" + addr + "/15?prefix=intaketest:chaos" + strings.ToLower(rand.Text()[:8]) + ":"
}

// mailer sends mails, each until it is acknowledged, and remembers what was.
type mailer struct {
	mu    sync.Mutex
	sent  map[string]bool
	acked map[string]bool
}

func newMailer() *mailer { return &mailer{sent: map[string]bool{}, acked: map[string]bool{}} }

// burst sends ids from 4 senders to addr; stop is called once after the
// given number of acknowledgements. It returns the ids not acknowledged.
func (m *mailer) burst(addr string, ids []string, after int, stop func()) []string {
	var once sync.Once
	var wg sync.WaitGroup
	var failed []string
	var fmu sync.Mutex
	n := 0
	for s := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := s; i < len(ids); i += 4 {
				m.mu.Lock()
				m.sent[ids[i]] = true
				m.mu.Unlock()
				if sendMail(addr, ids[i]) != nil {
					fmu.Lock()
					failed = append(failed, ids[i])
					fmu.Unlock()
					continue
				}
				m.mu.Lock()
				m.acked[ids[i]] = true
				n++
				hit := n == after
				m.mu.Unlock()
				if hit && stop != nil {
					once.Do(stop)
				}
			}
		}()
	}
	wg.Wait()
	return failed
}

// settle waits until every acknowledged mail is answered in the outboxes (or
// 60 s pass) and counts the lost and duplicated ones.
func (m *mailer) settle(t *testing.T, outboxes ...string) (lost, dups int) {
	t.Helper()
	count := func() map[string]int {
		all := map[string]int{}
		for _, o := range outboxes {
			for id, n := range answered(t, o) {
				all[id] += n
			}
		}
		return all
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := count()
		lost = 0
		for id := range m.acked {
			if got[id] == 0 {
				lost++
			}
		}
		if lost == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // room for a duplicate to show
	for id, n := range count() {
		if n > 1 {
			dups += n - 1
			t.Logf("%s answered %d times", id, n)
		}
	}
	for _, o := range outboxes {
		if tmp, _ := filepath.Glob(filepath.Join(o, ".tmp-*")); len(tmp) > 0 {
			t.Logf("%s: %d temporary files left by kills", o, len(tmp))
		}
	}
	return lost, dups
}

// untilAnswered sends id to addr (retrying until acknowledged) and returns
// how long after since its answer appeared in outbox.
func (m *mailer) untilAnswered(t *testing.T, addr, id, outbox string, since time.Time) time.Duration {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for len(m.burst(addr, []string{id}, 0, nil)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%s never acknowledged", id)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for answered(t, outbox)[id] == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(since)
}

func roundIDs(prefix string, round, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%d-%d", prefix, round, i)
	}
	return ids
}

// chaosKills kills the gateway with SIGKILL in the middle of each of kills
// bursts, restarts it at once, measures the time from the restart to the
// answer of a new mail, and finally resends what was refused.
func chaosKills(t *testing.T, cfg, smtpAddr string, kills, perRound int) chaosRow {
	m := newMailer()
	outbox := filepath.Join(filepath.Dir(cfg), "outbox")
	g := startServe(t, cfg)
	g.waitReady(t)
	var refused []string
	var worst time.Duration
	for k := range kills {
		refused = append(refused, m.burst(smtpAddr, roundIDs("kill", k, perRound), perRound/2, func() { _ = g.cmd.Process.Kill() })...)
		<-g.done
		restart := time.Now()
		g = startServe(t, cfg)
		g.waitReady(t)
		worst = max(worst, m.untilAnswered(t, smtpAddr, fmt.Sprintf("probe-%d", k), outbox, restart))
	}
	for len(refused) > 0 {
		refused = m.burst(smtpAddr, refused, 0, nil)
	}
	lost, dups := m.settle(t, outbox)
	g.stop(t)
	return chaosRow{sent: len(m.sent), acked: len(m.acked), lost: lost, dups: dups, recover: worst}
}

// chaosTwoInstances runs two instances on one Redis, kills one in the middle
// of a burst for good and sends the rest to the survivor, which must answer
// everything, the dead one's in-flight work after redeliver_after (2 s here).
func chaosTwoInstances(t *testing.T, n int) chaosRow {
	url := chaosRedisURL("127.0.0.1:6379")
	var cfgs, addrs []string
	for _, name := range []string{"chaos-a", "chaos-b"} {
		cfg := exampleConfig(t)
		addrs = append(addrs, replaceSMTPPort(t, cfg))
		setStore(t, cfg, url, name)
		appendLine(t, cfg, "queues: {redeliver_after: 2s}")
		cfgs = append(cfgs, cfg)
	}
	a := startServe(t, cfgs[0])
	a.waitReady(t)
	b := startServe(t, cfgs[1])
	b.waitReady(t)
	m := newMailer()
	refused := m.burst(addrs[0], roundIDs("pair", 0, n), n/2, func() { _ = a.cmd.Process.Kill() })
	<-a.done
	killed := time.Now()
	outboxes := []string{filepath.Join(filepath.Dir(cfgs[0]), "outbox"), filepath.Join(filepath.Dir(cfgs[1]), "outbox")}
	rec := m.untilAnswered(t, addrs[1], "pair-probe", outboxes[1], killed)
	for len(refused) > 0 {
		refused = m.burst(addrs[1], refused, 0, nil)
	}
	lost, dups := m.settle(t, outboxes...)
	b.stop(t)
	return chaosRow{sent: len(m.sent), acked: len(m.acked), lost: lost, dups: dups, recover: rec}
}

// chaosRedisRestart runs the gateway on a Redis of its own with
// appendfsync always, shuts Redis down in the middle of a burst and starts it
// again a second later; senders retry what was refused meanwhile.
func chaosRedisRestart(t *testing.T, n int) chaosRow {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server needed under CI=true: %v", err)
		}
		t.Skipf("no redis-server: %v", err)
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	startRedis := func() *exec.Cmd {
		cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", port, "--dir", dir, "--save", "",
			"--appendonly", "yes", "--appendfsync", "always")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for exec.Command("redis-cli", "-p", port, "ping").Run() != nil {
			if time.Now().After(deadline) {
				t.Fatal("redis-server did not start")
			}
			time.Sleep(20 * time.Millisecond)
		}
		return cmd
	}
	r := startRedis()
	t.Cleanup(func() { _ = r.Process.Kill(); _ = r.Wait() })
	cfg := exampleConfig(t)
	smtpAddr := replaceSMTPPort(t, cfg)
	setStore(t, cfg, "redis://"+addr+"/0", "chaos-redis")
	// A delivery in flight when Redis went away could be neither acked nor
	// nacked: it comes back after redeliver_after.
	appendLine(t, cfg, "queues: {redeliver_after: 5s}")
	g := startServe(t, cfg)
	g.waitReady(t)
	m := newMailer()
	var back time.Time
	refused := m.burst(smtpAddr, roundIDs("redis", 0, n), n/2, func() {
		_ = exec.Command("redis-cli", "-p", port, "shutdown").Run()
		_ = r.Wait()
		time.Sleep(time.Second)
		r = startRedis()
		back = time.Now()
	})
	outbox := filepath.Join(filepath.Dir(cfg), "outbox")
	rec := m.untilAnswered(t, smtpAddr, "redis-probe", outbox, back)
	for deadline := time.Now().Add(60 * time.Second); len(refused) > 0 && time.Now().Before(deadline); {
		refused = m.burst(smtpAddr, refused, 0, nil)
	}
	lost, dups := m.settle(t, outbox)
	g.stop(t)
	return chaosRow{sent: len(m.sent), acked: len(m.acked), lost: lost, dups: dups, recover: rec}
}

func appendLine(t *testing.T, cfg, line string) {
	t.Helper()
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("\n" + line + "\n"); err != nil {
		t.Fatal(err)
	}
}
