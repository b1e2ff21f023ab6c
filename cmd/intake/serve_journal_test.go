package main

import (
	"fmt"
	"net/smtp"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestServeKilledWithMailInTheJournal: a burst is answered 250 (with the
// embedded store of example.yaml, once each mail is in the SMTP listener's
// journal) and the gateway is killed at once, before its mover and worker
// can have stored and answered everything. After a restart every mail has
// exactly one incident and one reply.
func TestServeKilledWithMailInTheJournal(t *testing.T) {
	cfg := exampleConfig(t)
	smtpAddr := replaceSMTPPort(t, cfg)
	g := startServe(t, cfg, "INTAKE_API_TOKEN=tok")
	g.waitReady(t)
	const mails, conns = 240, 8
	var wg sync.WaitGroup
	errs := make(chan error, mails)
	for c := range conns {
		wg.Go(func() {
			for i := c; i < mails; i += conns {
				from := fmt.Sprintf("j%d@cliente.example", i)
				msg := fmt.Sprintf("From: <%s>\r\nTo: soporte@example.com\r\nSubject: Caso %d\r\nMessage-ID: <journal-%d@cliente.example>\r\n\r\n"+
					"No puedo entrar a mi cuenta %d.\r\n", from, i, i, i)
				if err := smtp.SendMail(smtpAddr, nil, from, []string{"soporte@example.com"}, []byte(msg)); err != nil {
					errs <- fmt.Errorf("mail %d: %w", i, err)
				}
			}
		})
	}
	wg.Wait()
	if err := g.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-g.done
	close(errs)
	for err := range errs {
		t.Fatalf("a mail of the burst was refused: %v", err)
	}
	// Logged, not asserted: how far the killed gateway had got.
	segs, _ := filepath.Glob(filepath.Join(filepath.Dir(cfg), "data", "intake.db.smtp-journal", "segment-*"))
	var journalled int64
	for _, s := range segs {
		if info, err := os.Stat(s); err == nil {
			journalled += info.Size()
		}
	}
	t.Logf("at the kill: %d replies written, %d bytes in %d journal segments", len(outboxReplies(cfg)), journalled, len(segs))

	g2 := startServe(t, cfg, "INTAKE_API_TOKEN=tok")
	g2.waitReady(t)
	expectAnsweredOnce(t, g2, cfg, "journal-", mails, 60*time.Second)
	g2.stop(t)
}
