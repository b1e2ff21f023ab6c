package email

import (
	"context"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/store"
	redisstore "github.com/intake-support/intake/store/redis"
)

// BenchmarkIMAPIntake drains a 1,000-message mailbox through the adapter's
// IMAP intake (fetch, normalize, the rate window of example.yaml, store in
// the inbox queue, flag) on each store and, beside it, the raw IMAP FETCH of
// the same mailbox. Both report messages/s. Dovecot is used when installed,
// else imapmemserver; Redis is a redis-server of the benchmark's own.
func BenchmarkIMAPIntake(b *testing.B) {
	const n = 1000
	var p imapPeer
	server := "dovecot"
	if _, err := exec.LookPath("dovecot"); err == nil {
		p = startDovecot(b)
	} else {
		server = "imapmemserver"
		p = startMemIMAP(b)
	}
	c := p.Client(b)
	for i := range n {
		appendMail(b, c, "INBOX", customerMail(fmt.Sprintf("u%d@cliente.test", i%97), fmt.Sprintf("bench%d@cliente.test", i),
			fmt.Sprintf("Caso %d", i), "Hola, la impresora de la oficina 3 no imprime desde ayer. ¿Pueden ayudarme?\r\n\r\nGracias,\r\nAna"))
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		b.Fatal(err)
	}
	b.Logf("server: %s, %d messages", server, n)
	all := imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}

	redisURL := "redis://" + startRedis(b) + "/0"
	stores := []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"intake", func(b *testing.B) store.Store { return openBolt(b, "") }},
		{"intake_redis", func(b *testing.B) store.Store {
			s, err := redisstore.Open(context.Background(), fmt.Sprintf("%s?prefix=bench%d:", redisURL, time.Now().UnixNano()))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
	for _, sc := range stores {
		b.Run(sc.name, func(b *testing.B) { benchIntake(b, p, c, sc.open, n) })
	}
	b.Run("raw_fetch", func(b *testing.B) {
		section := &imap.FetchItemBodySection{Peek: true}
		for b.Loop() {
			start := time.Now()
			msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
			if err != nil || len(msgs) != n {
				b.Fatalf("FETCH = %d messages, %v", len(msgs), err)
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
		}
	})
}

// benchIntake drains the INBOX of c's server through the IMAP intake into a
// store made by open, once per iteration.
func benchIntake(b *testing.B, p imapPeer, c *imapclient.Client, open func(b *testing.B) store.Store, n int) {
	all := imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}
	cfg := imapConfig(p, "", "")
	cfg.MaxSize = 0
	cfg.RateLimit = config.RateLimit{Messages: 10, Per: time.Hour} // as in example.yaml
	for b.Loop() {
		b.StopTimer()
		if err := c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{flagDone, imap.FlagSeen}}, nil).Close(); err != nil {
			b.Fatal(err)
		}
		st := open(b)
		a, err := New(cfg, st, quietLogger())
		if err != nil {
			b.Fatal(err)
		}
		wake := make(chan struct{}, 1)
		ic, err := a.dialIMAP(context.Background(), wake)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ic.Select("INBOX", nil).Wait(); err != nil {
			b.Fatal(err)
		}
		pl := &imapPoller{a: a, inbox: &channels.StoreInbox{Store: st}, tries: map[imap.UID]int{}}
		b.StartTimer()
		start := time.Now()
		if err := pl.drain(context.Background(), ic); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
		b.StopTimer()
		if got, _ := channels.InboxLen(context.Background(), st); got != n {
			b.Fatalf("inbox holds %d, want %d", got, n)
		}
		_ = ic.Close()
		b.StartTimer()
	}
}
