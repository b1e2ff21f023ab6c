package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// stormRelay is a go-smtp relay on loopback that refuses everything for a
// while (4xx, then the relay's own 5xx refusals), then accepts, except the
// recipients named unknown-*, which get 550 5.1.1 for good. It counts the
// replies it accepted per customer mail they answer.
type stormRelay struct {
	mu        sync.Mutex
	stormFrom time.Time
	half      time.Duration // 4xx for half, 5xx relay-denied for half
	got       map[string]int
	refused   int
}

var relayInReplyTo = regexp.MustCompile(`In-Reply-To: <([^@>]+)@`)

func startStormRelay(t *testing.T, half time.Duration) (*stormRelay, string) {
	t.Helper()
	r := &stormRelay{half: half, got: map[string]int{}}
	s := smtp.NewServer(r)
	s.Domain = "relay.test"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return r, l.Addr().String()
}

// storm starts the refusals now; it returns when the relay recovers.
func (r *stormRelay) storm() time.Time {
	r.mu.Lock()
	r.stormFrom = time.Now()
	r.mu.Unlock()
	return r.stormFrom.Add(2 * r.half)
}

// refusal is the error for a command at step ("mail" or "rcpt") now.
func (r *stormRelay) refusal(step string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	since := time.Since(r.stormFrom)
	var err *smtp.SMTPError
	switch {
	case r.stormFrom.IsZero() || since >= 2*r.half:
		return nil
	case since < r.half && step == "mail":
		err = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Local problem, try later"}
	case since >= r.half && step == "mail" && r.refused%2 == 0:
		err = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	case since >= r.half && step == "rcpt":
		err = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relay access denied"}
	default:
		return nil
	}
	r.refused++
	return err
}

func (r *stormRelay) NewSession(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }

type relaySession struct{ r *stormRelay }

func (s *relaySession) Mail(string, *smtp.MailOptions) error { return s.r.refusal("mail") }

func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := s.r.refusal("rcpt"); err != nil {
		return err
	}
	if strings.HasPrefix(to, "unknown-") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "User unknown"}
	}
	return nil
}

func (s *relaySession) Data(body io.Reader) error {
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if m := relayInReplyTo.FindSubmatch(b); m != nil {
		s.r.mu.Lock()
		s.r.got[string(m[1])]++
		s.r.mu.Unlock()
	}
	return nil
}

func (s *relaySession) Reset()        {}
func (s *relaySession) Logout() error { return nil }

func (r *stormRelay) answered() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.got))
	for k, v := range r.got {
		out[k] = v
	}
	return out
}

// chaosRelayStorm points smtp_out at a relay that answers 4xx for half,
// then 554 5.7.1 and 530 for half, then recovers, while n customers mail
// in, plus a few to unknown recipients (550 5.1.1 after the storm). Every
// reply to a known customer must reach the relay once; the unknown ones
// must be in the dead-letter queue (GET /api/v1/outbox/dead), not dropped.
// Recover is from the relay's recovery to the last reply delivered.
func chaosRelayStorm(t *testing.T, n int, half time.Duration) chaosRow {
	relay, relayAddr := startStormRelay(t, half)
	cfg := exampleConfig(t)
	smtpAddr := replaceSMTPPort(t, cfg)
	replaceInConfig(t, cfg, map[string]string{
		"outbox_dir: outbox/": fmt.Sprintf("smtp_out: {addr: %q, tls: none}", relayAddr),
	})
	const token = "chaos-token"
	g := startServe(t, cfg, "INTAKE_API_TOKEN="+token)
	g.waitReady(t)
	recovered := relay.storm()
	m := newMailer()
	ids := roundIDs("relay", 0, n)
	unknown := roundIDs("unknown", 0, max(2, n/8))
	refused := m.burst(smtpAddr, append(ids, unknown...), 0, nil)
	for deadline := time.Now().Add(30 * time.Second); len(refused) > 0 && time.Now().Before(deadline); {
		refused = m.burst(smtpAddr, refused, 0, nil)
	}
	deadlineAt := recovered.Add(90 * time.Second)
	var lost int
	var last time.Time
	for {
		got := relay.answered()
		_, dead := apiGet(t, g.addr, "/api/v1/outbox/dead?limit=1000", token)
		lost = 0
		for id := range m.acked {
			switch {
			case strings.HasPrefix(id, "unknown-") && !strings.Contains(dead, id+"@cliente.example"):
				lost++
			case !strings.HasPrefix(id, "unknown-") && got[id] == 0:
				lost++
			}
		}
		if lost == 0 {
			last = time.Now()
			break
		}
		if time.Now().After(deadlineAt) {
			t.Logf("%d replies neither delivered nor dead-lettered 90s after the relay recovered; logs:\n%s", lost, g.logs.String())
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // room for a duplicate to show
	dups := 0
	for id, c := range relay.answered() {
		if c > 1 {
			dups += c - 1
			t.Logf("%s delivered %d times", id, c)
		}
	}
	relay.mu.Lock()
	t.Logf("relay refused %d commands during the storm", relay.refused)
	relay.mu.Unlock()
	g.stop(t)
	rec := time.Duration(0)
	if !last.IsZero() {
		rec = max(0, last.Sub(recovered))
	}
	return chaosRow{sent: len(m.sent), acked: len(m.acked), lost: lost, dups: dups, recover: rec}
}

// replaceInConfig replaces each key of repl in cfg once, failing when one
// is missing.
func replaceInConfig(t *testing.T, cfg string, repl map[string]string) {
	t.Helper()
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	data := string(b)
	for old, s := range repl {
		if !strings.Contains(data, old) {
			t.Fatalf("%s lacks %q", filepath.Base(cfg), old)
		}
		data = strings.Replace(data, old, s, 1)
	}
	if err := os.WriteFile(cfg, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}
