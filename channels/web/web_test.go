package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels/web"
)

func TestSignInRefusals(t *testing.T) {
	d := newDesk(t)
	tests := []struct {
		name     string
		email    string
		password string
		noCSRF   bool
		want     int
	}{
		{"right password", "ana@example.com", password, false, http.StatusSeeOther},
		{"email in capitals", "ANA@example.com", password, false, http.StatusSeeOther},
		{"wrong password", "ana@example.com", "guess", false, http.StatusUnauthorized},
		{"unknown user", "nobody@example.com", password, false, http.StatusUnauthorized},
		{"no form token", "ana@example.com", password, true, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := d.client()
			tok := c.csrf("/desk/login")
			if tt.noCSRF {
				tok = ""
			}
			code, body := c.post("/desk/login", url.Values{"csrf": {tok}, "email": {tt.email}, "password": {tt.password}})
			if code != tt.want {
				t.Errorf("login(%q, %q) = %d, want %d (%.200s)", tt.email, tt.password, code, tt.want, body)
			}
			if code != http.StatusSeeOther {
				if got, _ := c.get("/desk"); got != http.StatusSeeOther {
					t.Errorf("GET /desk after a refused sign-in = %d, want 303 to the sign-in page", got)
				}
			}
		})
	}
}

func TestSignInRateLimit(t *testing.T) {
	d := newDesk(t)
	c := d.client()
	for i := range 3 {
		if code := c.login("beto@example.com", "wrong"); code != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d = %d, want 401", i+1, code)
		}
	}
	if code := c.login("beto@example.com", password); code != http.StatusTooManyRequests {
		t.Errorf("sign-in after 3 failures = %d, want 429 even with the right password", code)
	}
	if code := c.login("ana@example.com", password); code != http.StatusSeeOther {
		t.Errorf("another user's sign-in from the same address = %d, want 303", code)
	}
}

// TestRefusedActionsChangeNothing: every refusal leaves the incident as it was.
func TestRefusedActionsChangeNothing(t *testing.T) {
	d := newDesk(t)
	id := d.open("c1", "Necesito ayuda con el ERP")
	path := "/desk/incidents/" + string(id) + "/claim"
	tests := []struct {
		name string
		act  func() int
		want int
	}{
		{"no form token", func() int {
			c := d.signedIn("ana@example.com")
			code, _ := c.post(path, url.Values{})
			return code
		}, http.StatusForbidden},
		{"wrong form token", func() int {
			c := d.signedIn("ana@example.com")
			code, _ := c.post(path, url.Values{"csrf": {"forged"}})
			return code
		}, http.StatusForbidden},
		{"another user's form token", func() int {
			tok := d.signedIn("beto@example.com").csrf("/desk")
			code, _ := d.signedIn("ana@example.com").post(path, url.Values{"csrf": {tok}})
			return code
		}, http.StatusForbidden},
		{"agent of another tier", func() int {
			c := d.signedIn("luis@example.com")
			code, _ := c.post(path, url.Values{"csrf": {c.csrf("/desk")}})
			return code
		}, http.StatusForbidden},
		{"not signed in", func() int {
			code, _ := d.client().post(path, url.Values{"csrf": {"x"}})
			return code
		}, http.StatusUnauthorized},
		{"signed out", func() int {
			c := d.signedIn("ana@example.com")
			tok := c.csrf("/desk")
			if code, _ := c.post("/desk/logout", url.Values{"csrf": {tok}}); code != http.StatusSeeOther {
				t.Errorf("logout = %d, want 303", code)
			}
			code, _ := c.post(path, url.Values{"csrf": {tok}})
			return code
		}, http.StatusUnauthorized},
		{"expired session", func() int {
			c := d.signedIn("ana@example.com")
			tok := c.csrf("/desk")
			d.clock.Add(2 * time.Hour)
			defer d.clock.Add(-2 * time.Hour)
			code, _ := c.post(path, url.Values{"csrf": {tok}})
			return code
		}, http.StatusUnauthorized},
		{"JSON without credentials", func() int { return d.api(nil, "", id, "claim", "") }, http.StatusUnauthorized},
		{"JSON with a wrong password", func() int {
			return d.api(nil, "ana@example.com:nope", id, "claim", "")
		}, http.StatusUnauthorized},
		{"JSON session without the CSRF header", func() int {
			return d.api(d.signedIn("ana@example.com"), "", id, "claim", "")
		}, http.StatusForbidden},
		{"JSON agent of another tier", func() int { return d.api(nil, "luis@example.com:"+password, id, "claim", "") }, http.StatusForbidden},
		{"JSON unknown action", func() int { return d.api(nil, "ana@example.com:"+password, id, "delete", "") }, http.StatusNotFound},
		{"JSON empty reply", func() int { return d.api(nil, "ana@example.com:"+password, id, "reply", "") }, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := d.incident(id)
			if got := tt.act(); got != tt.want {
				t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
			}
			after := d.incident(id)
			if after.Version != before.Version || after.Status != intake.StatusEscalated || after.ClaimedBy != "" {
				t.Errorf("%s changed the incident: version %d -> %d, status %s, claimed by %q", tt.name, before.Version, after.Version, after.Status, after.ClaimedBy)
			}
		})
	}
}

// api calls a JSON action with a session (c) or Basic credentials
// (user:password) and returns the status.
func (d *desk) api(c *client, basic string, id intake.IncidentID, action, body string) int {
	d.t.Helper()
	code, _ := d.apiJSON(c, basic, id, action, body, "")
	return code
}

func (d *desk) apiJSON(c *client, basic string, id intake.IncidentID, action, body, csrf string) (int, map[string]any) {
	d.t.Helper()
	req, err := http.NewRequest(http.MethodPost, d.srv.URL+"/api/v1/incidents/"+string(id)+"/"+action, strings.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	if user, pw, ok := strings.Cut(basic, ":"); ok {
		req.SetBasicAuth(user, pw)
	}
	hc := http.DefaultClient
	if c != nil {
		hc = c.http
	}
	resp, err := hc.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestAgentWorksAnIncident: claim, reply, note and resolve from the forms;
// the customer gets the reply and the survey on their own channel, and
// another agent's live view hears of each change.
func TestAgentWorksAnIncident(t *testing.T) {
	d := newDesk(t)
	id := d.open("c2", "No <b>abre</b> el sistema de nómina")
	ana, beto := d.signedIn("ana@example.com"), d.signedIn("beto@example.com")
	changes := beto.events(t)

	code, body := ana.get("/desk")
	if code != http.StatusOK || !strings.Contains(body, string(id)) {
		t.Fatalf("GET /desk = %d without %s", code, id)
	}
	code, body = ana.get("/desk/incidents/" + string(id))
	if code != http.StatusOK || !strings.Contains(body, "No &lt;b&gt;abre&lt;/b&gt;") {
		t.Fatalf("incident page = %d, want the customer's text escaped: %.500s", code, body)
	}
	tok := ana.csrf("/desk")
	steps := []struct {
		action, text string
		check        func(inc *intake.Incident) bool
	}{
		{"claim", "", func(inc *intake.Incident) bool {
			return inc.Status == intake.StatusClaimed && inc.ClaimedBy == "ana@example.com"
		}},
		{"reply", "Hola, ¿qué error aparece?", func(inc *intake.Incident) bool { return true }},
		{"note", "probably the VPN", func(inc *intake.Incident) bool {
			last := inc.Timeline[len(inc.Timeline)-1]
			return last.Kind == intake.EventNote && last.Text == "probably the VPN"
		}},
		{"resolve", "Reinstalled the client", func(inc *intake.Incident) bool {
			return inc.Status == intake.StatusResolved && inc.Resolution == "Reinstalled the client"
		}},
	}
	for _, s := range steps {
		code, _ := ana.post("/desk/incidents/"+string(id)+"/"+s.action, url.Values{"csrf": {tok}, "text": {s.text}})
		if code != http.StatusSeeOther {
			t.Fatalf("%s = %d, want 303", s.action, code)
		}
		if inc := d.incident(id); !s.check(inc) {
			t.Fatalf("after %s: status %s, claimed by %q", s.action, inc.Status, inc.ClaimedBy)
		}
		waitChange(t, changes, id, s.action)
	}
	sent, err := d.chat.WaitSent(3, 5*time.Second)
	if err != nil {
		t.Fatalf("customer replies: %v", err)
	}
	var texts []string
	for _, r := range sent {
		texts = append(texts, r.Text)
	}
	all := strings.Join(texts, "\n---\n")
	for _, want := range []string{"Hola, ¿qué error aparece?", "Reinstalled the client"} {
		if !strings.Contains(all, want) {
			t.Errorf("the customer did not get %q; got:\n%s", want, all)
		}
	}
	if strings.Contains(all, "probably the VPN") {
		t.Errorf("an internal note reached the customer:\n%s", all)
	}
	if code, _ := ana.get("/desk"); code != http.StatusOK {
		t.Errorf("queue after resolving = %d", code)
	}
}

// events opens the live stream and returns the IDs of each change event.
func (c *client) events(t *testing.T) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.d.srv.URL+"/desk/events", nil)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /desk/events = %d", resp.StatusCode)
	}
	out := make(chan string, 64)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if ids, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				out <- ids
			}
		}
	}()
	t.Cleanup(func() { cancel(); resp.Body.Close(); wg.Wait() })
	return out
}

func waitChange(t *testing.T, changes <-chan string, id intake.IncidentID, after string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ids := <-changes:
			if strings.Contains(","+ids+",", ","+string(id)+",") {
				return
			}
		case <-timeout:
			t.Fatalf("no live change for %s after %s", id, after)
		}
	}
}

// TestConcurrentClaimsOneWins: two agents claim through the JSON endpoint at
// once; the inbox serializes them and exactly one holds the incident.
func TestConcurrentClaimsOneWins(t *testing.T) {
	d := newDesk(t)
	id := d.open("c3", "La impresora no imprime")
	users := []string{"ana@example.com", "beto@example.com", "marta@example.com"}
	var wg sync.WaitGroup
	codes := make([]int, len(users))
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = d.api(nil, u+":"+password, id, "claim", fmt.Sprintf(`{"nonce": "race-%d"}`, i))
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK && c != http.StatusAccepted {
			t.Errorf("claim by %s = %d, want 200 or 202", users[i], c)
		}
	}
	d.eventually("all claims handled", func() bool {
		n := 0
		for _, e := range d.incident(id).Timeline {
			if e.Kind == intake.EventMessage && e.Channel == intake.ChannelWeb {
				n++
			}
		}
		return n == len(users)
	})
	inc := d.incident(id)
	claims := 0
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventStatus && e.To == intake.StatusClaimed {
			claims++
		}
	}
	if claims != 1 || inc.ClaimedBy == "" {
		t.Errorf("claims recorded = %d (claimed by %q), want exactly 1", claims, inc.ClaimedBy)
	}
}

// TestNoticesInTheDesksLanguage: an agent who claims an incident another
// holds reads why, on the incident page, in the desk's language (the first
// of triage.languages), whatever the page's own language.
func TestNoticesInTheDesksLanguage(t *testing.T) {
	for _, tt := range []struct{ languages, want string }{
		{"es, en", " ya está tomada por @ana@example.com"},
		{"en, es", " is already claimed by @ana@example.com"},
	} {
		t.Run(tt.languages, func(t *testing.T) {
			d := newDeskIn(t, tt.languages)
			id := d.open("c6", "El escáner no enciende")
			if code := d.api(nil, "ana@example.com:"+password, id, "claim", ""); code != http.StatusOK && code != http.StatusAccepted {
				t.Fatalf("claim by Ana = %d", code)
			}
			d.eventually("Ana's claim handled", func() bool { return d.incident(id).ClaimedBy == "ana@example.com" })
			code, out := d.apiJSON(nil, "beto@example.com:"+password, id, "claim", "", "")
			msg, _ := out["message_id"].(string)
			if (code != http.StatusOK && code != http.StatusAccepted) || msg == "" {
				t.Fatalf("claim by Beto = %d %v, want a message id", code, out)
			}
			d.eventually("Beto's claim handled", func() bool { return d.incident(id).HasMessage(intake.ChannelWeb, intake.MessageID(msg)) })
			page := "/desk/incidents/" + string(id) + "?after=" + url.QueryEscape(msg)
			if code, body := d.signedIn("beto@example.com").get(page); code != http.StatusOK || !strings.Contains(body, string(id)+tt.want) {
				t.Errorf("GET %s = %d, want the notice %q: %.1500s", page, code, string(id)+tt.want, body)
			}
		})
	}
}

func TestJSONActionsWithSession(t *testing.T) {
	d := newDesk(t)
	id := d.open("c4", "El correo no sincroniza")
	c := d.signedIn("marta@example.com")
	tok := c.csrf("/desk")
	code, out := d.apiJSON(c, "", id, "escalate", `{"tier": "L3", "text": "needs the back end"}`, tok)
	if code != http.StatusOK || out["tier"] != "L3" || out["status"] != string(intake.StatusEscalated) {
		t.Fatalf("escalate = %d %v, want 200 with tier L3", code, out)
	}
	code, out = d.apiJSON(c, "", id, "escalate", `{"tier": "L9"}`, tok)
	if code != http.StatusBadRequest {
		t.Errorf("escalate to L9 = %d %v, want 400", code, out)
	}
	// Ana works L2 only: the incident is in L3 now.
	if code := d.api(nil, "ana@example.com:"+password, id, "claim", ""); code != http.StatusForbidden {
		t.Errorf("claim by an L2 agent of an L3 incident = %d, want 403", code)
	}
	if code := d.api(nil, "luis@example.com:"+password, id, "claim", ""); code != http.StatusOK {
		t.Errorf("claim by the L3 agent = %d, want 200", code)
	}
}

func TestManagersView(t *testing.T) {
	d := newDesk(t)
	id := d.open("c5", "VPN caída")
	if code := d.api(nil, "ana@example.com:"+password, id, "resolve", `{"text": "restarted"}`); code != http.StatusOK {
		t.Fatalf("resolve = %d", code)
	}
	tests := []struct {
		user, path string
		want       int
		contains   string
	}{
		{"marta@example.com", "/desk/manage", http.StatusOK, "Resolved by Level I"},
		{"marta@example.com", "/desk/manage?from=2000-01-01&to=2100-01-01", http.StatusOK, "<span class=\"n\">1</span>"},
		{"marta@example.com", "/desk/manage?from=yesterday", http.StatusBadRequest, "from must be a date"},
		{"ana@example.com", "/desk/manage", http.StatusForbidden, "for managers"},
	}
	for _, tt := range tests {
		code, body := d.signedIn(tt.user).get(tt.path)
		if code != tt.want || !strings.Contains(body, tt.contains) {
			t.Errorf("GET %s as %s = %d, want %d with %q", tt.path, tt.user, code, tt.want, tt.contains)
		}
	}
}

func TestHashPassword(t *testing.T) {
	tests := []struct {
		password string
		ok       bool
	}{
		{"short", false},
		{"long enough pass", true},
		{strings.Repeat("x", 73), false},
	}
	for _, tt := range tests {
		h, err := web.HashPassword(tt.password)
		if (err == nil) != tt.ok {
			t.Errorf("HashPassword(%q) error = %v, want ok %v", tt.password, err, tt.ok)
			continue
		}
		if tt.ok && bcrypt.CompareHashAndPassword([]byte(h), []byte(tt.password)) != nil {
			t.Errorf("HashPassword(%q) = %q, which does not verify", tt.password, h)
		}
	}
}

func TestPagesSpeakSpanishAndEnglish(t *testing.T) {
	d := newDesk(t)
	c := d.signedIn("ana@example.com")
	tests := []struct {
		path, acceptLanguage, want string
	}{
		{"/desk?lang=es", "", `<html lang="es">`},
		{"/desk", "", `<h1>Cola</h1>`}, // the choice is remembered
		{"/desk?lang=en", "", `<h1>Queue</h1>`},
	}
	for _, tt := range tests {
		if code, body := c.get(tt.path); code != http.StatusOK || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s = %d, want %q in the page", tt.path, code, tt.want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, d.srv.URL+"/desk/login", nil)
	req.Header.Set("Accept-Language", "es-MX,es;q=0.9,en;q=0.5")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
	if !strings.Contains(b.String(), "Contraseña") {
		t.Errorf("sign-in page for Accept-Language es-MX is not in Spanish")
	}
}
