package email

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/store"
)

func imapConfig(p imapPeer, done, failed string) config.Email {
	return config.Email{
		Address: "soporte@example.test",
		IMAP: config.IMAP{Addr: p.Addr, TLS: config.TLSNone, Username: p.User, Password: p.Pass,
			Mailbox: "INBOX", DoneMailbox: done, FailedMailbox: failed, PollInterval: 100 * time.Millisecond},
		MaxSize: 32 * config.KB,
	}
}

// runIMAPIntake runs only the adapter's IMAP intake into a store inbox.
func runIMAPIntake(t *testing.T, cfg config.Email) (stop func(), inboxLen func() int) {
	t.Helper()
	return runIMAPIntakeOn(t, cfg, openBolt(t, ""))
}

// runIMAPIntakeOn is runIMAPIntake on the given store.
func runIMAPIntakeOn(t *testing.T, cfg config.Email, s store.Store) (stop func(), inboxLen func() int) {
	t.Helper()
	a, err := New(cfg, s, quietLogger(), WithBackoff(20*time.Millisecond, 100*time.Millisecond), WithIdleMax(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = a.Run(ctx, &channels.StoreInbox{Store: s}); close(done) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop, func() int {
		n, _ := channels.InboxLen(context.Background(), s)
		return n
	}
}

func TestIMAPIntakeMemServer(t *testing.T) {
	tests := []struct {
		name         string
		done, failed string
	}{
		{"move to done and failed", "Done", "Failed"},
		{"flags only", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := startMemIMAP(t)
			c := p.Client(t)
			for i := range 3 {
				appendMail(t, c, "INBOX", customerMail(fmt.Sprintf("cliente%d@cliente.test", i), fmt.Sprintf("mem%d@cliente.test", i), "ayuda", "no funciona"))
			}
			appendMail(t, c, "INBOX", []byte("no header here at all\r\n"))                                                         // refused
			appendMail(t, c, "INBOX", customerMail("big@cliente.test", "big@cliente.test", "big", strings.Repeat("z\r\n", 20000))) // oversize
			_, inboxLen := runIMAPIntake(t, imapConfig(p, tc.done, tc.failed))
			waitFor(t, 10*time.Second, "3 messages stored", func() bool { return inboxLen() == 3 })
			if tc.done != "" {
				waitFor(t, 10*time.Second, "INBOX emptied", func() bool { return countMailbox(t, c, "INBOX") == 0 })
				if n := countMailbox(t, c, "Done"); n != 3 {
					t.Errorf("Done holds %d, want 3", n)
				}
				if n := countMailbox(t, c, "Failed"); n != 2 {
					t.Errorf("Failed holds %d, want 2", n)
				}
				return
			}
			waitFor(t, 10*time.Second, "all flagged", func() bool {
				if _, err := c.Select("INBOX", nil).Wait(); err != nil {
					return false
				}
				d, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{flagDone}}, nil).Wait()
				f, err2 := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{flagFailed}}, nil).Wait()
				return err == nil && err2 == nil && len(d.AllUIDs()) == 3 && len(f.AllUIDs()) == 2
			})
		})
	}
}

func TestIMAPIntakeDovecot(t *testing.T) {
	p := startDovecot(t)
	c := p.Client(t)
	stop, inboxLen := runIMAPIntake(t, imapConfig(p, "Done", "Failed"))
	appendMail(t, c, "INBOX", customerMail("a@cliente.test", "r1@cliente.test", "uno", "uno"))
	waitFor(t, 10*time.Second, "first message", func() bool { return inboxLen() == 1 })
	// A mail appended while the poller waits (IDLE, or its 200 ms limit here) is taken.
	start := time.Now()
	appendMail(t, c, "INBOX", customerMail("a@cliente.test", "r2@cliente.test", "dos", "dos"))
	waitFor(t, 10*time.Second, "second message", func() bool { return inboxLen() == 2 })
	t.Logf("second message stored %s after APPEND", time.Since(start))
	stop()
}
