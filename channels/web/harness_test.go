package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
	"github.com/intake-support/intake/channels/web"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/escalation"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
)

// password is every test user's password.
const password = "correct horse battery"

const testConfig = `
store: bolt:intake.db
triage: {languages: [LANGUAGES]}
tiers:
  - {id: L2, name: Nivel II, claim_within: 15m, resolve_within: 8h, next: L3}
  - {id: L3, name: Nivel III, claim_within: 30m, resolve_within: 24h}
routing:
  - {name: default, tier: L2}
web:
  enabled: true
  cookie_secure: false
  session_ttl: 1h
  login_attempts: 3
  users:
    - {name: Ana, email: ana@example.com, role: agent, tiers: [L2], password_hash: "HASH"}
    - {name: Beto, email: beto@example.com, role: agent, tiers: [L2], password_hash: "HASH"}
    - {name: Luis, email: luis@example.com, role: agent, tiers: [L3], password_hash: "HASH"}
    - {name: Marta, email: marta@example.com, role: manager, password_hash: "HASH"}
`

// clock is a settable clock for session expiry.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// desk is a running gateway with the web desk: a real store, worker, outbox
// and escalation desk, a chat channel for the customer and the desk's HTTP
// server.
type desk struct {
	t     *testing.T
	srv   *httptest.Server
	st    store.Store
	chat  *chantest.Adapter
	clock *clock
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	return newDeskIn(t, "es, en")
}

// newDeskIn is newDesk with the triage languages languages: the first is the
// language agents read.
func newDeskIn(t *testing.T, languages string) *desk {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "intake.yaml"), []byte(strings.NewReplacer("HASH", string(hash), "LANGUAGES", languages).Replace(testConfig)), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	st, err := bolt.Open(filepath.Join(dir, "intake.db"))
	if err != nil {
		t.Fatal(err)
	}
	w := &channels.Worker{Store: st, Poll: 10 * time.Millisecond}
	d := escalation.New(cfg, channels.Incidents{Store: st})
	w.Humans = d
	// Level I hands every new incident to the humans.
	w.LevelOne = channels.HandlerFunc(func(_ context.Context, inc *intake.Incident, _ *intake.Message) (intake.Outcome, error) {
		return intake.Outcome{Escalate: &intake.Escalation{Reason: "asked_for_human", Language: "es", Category: "software"}}, nil
	})
	clk := &clock{now: time.Now()}
	a, err := web.New(cfg, web.Options{Store: st, Inbox: w.Inbox(), Card: d.Card, Clock: clk.Now, Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	chat := chantest.New()
	ob := &channels.Outbox{Store: st, Adapters: map[intake.Channel]channels.Adapter{chat.Channel(): chat, a.Channel(): a}, Poll: 10 * time.Millisecond}
	mux := http.NewServeMux()
	for p, h := range a.Handlers() {
		mux.Handle(p, h)
	}
	srv := httptest.NewServer(mux)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, run := range []func(context.Context) error{w.Run, ob.Run,
		func(ctx context.Context) error { return a.Run(ctx, nil) },
		func(ctx context.Context) error { return chat.Run(ctx, w.Inbox()) }} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = run(ctx) }()
	}
	t.Cleanup(func() {
		cancel()
		srv.Close()
		wg.Wait()
		_ = st.Close()
	})
	return &desk{t: t, srv: srv, st: st, chat: chat, clock: clk}
}

// open has a customer write on the chat channel and waits for the incident
// to reach the L2 queue.
func (d *desk) open(conv, text string) intake.IncidentID {
	d.t.Helper()
	if err := d.chat.Deliver(context.Background(), chantest.Message("m-"+conv, "cust-"+conv, conv, text)); err != nil {
		d.t.Fatal(err)
	}
	var id intake.IncidentID
	d.eventually("incident escalated", func() bool {
		incs, err := d.st.ListIncidents(context.Background(), store.Filter{Status: intake.StatusEscalated})
		for _, inc := range incs {
			if inc.Conversation.Address == conv {
				id = inc.ID
			}
		}
		return err == nil && id != ""
	})
	d.eventually("replies delivered", func() bool { return delivered(d.incident(id)) })
	return id
}

// delivered reports whether every reply queued for inc has been delivered,
// so that the incident stays as it is until someone acts.
func delivered(inc *intake.Incident) bool {
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventReply && inc.DeliveredAs(e.ReplyID) == "" {
			return false
		}
	}
	return true
}

func (d *desk) incident(id intake.IncidentID) *intake.Incident {
	d.t.Helper()
	inc, err := d.st.GetIncident(context.Background(), id)
	if err != nil {
		d.t.Fatal(err)
	}
	return inc
}

func (d *desk) eventually(what string, ok func() bool) {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			d.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// client is a browser: a cookie jar, no automatic redirects.
type client struct {
	d    *desk
	http *http.Client
}

func (d *desk) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{d: d, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) get(path string) (int, string) {
	c.d.t.Helper()
	resp, err := c.http.Get(c.d.srv.URL + path)
	if err != nil {
		c.d.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c *client) post(path string, form url.Values) (int, string) {
	c.d.t.Helper()
	resp, err := c.http.PostForm(c.d.srv.URL+path, form)
	if err != nil {
		c.d.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// csrf returns the form token of a page.
func (c *client) csrf(path string) string {
	c.d.t.Helper()
	_, body := c.get(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		c.d.t.Fatalf("GET %s: no csrf field in %.300s", path, body)
	}
	return m[1]
}

// login signs in and returns the status of the form submission.
func (c *client) login(email, pw string) int {
	c.d.t.Helper()
	tok := c.csrf("/desk/login")
	code, _ := c.post("/desk/login", url.Values{"csrf": {tok}, "email": {email}, "password": {pw}})
	return code
}

func (d *desk) signedIn(email string) *client {
	d.t.Helper()
	c := d.client()
	if code := c.login(email, password); code != http.StatusSeeOther {
		d.t.Fatalf("login(%q) = %d, want 303", email, code)
	}
	return c
}
