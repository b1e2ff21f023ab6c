// Package slackfake is a Slack Web API test double built on slack-go's
// slacktest that records what clients post, plus builders for signed Events
// API and Interactivity requests, so that tests in any package can drive the
// real Slack adapter.
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack/slacktest"
)

// BotUser is the user ID auth.test answers: the bot itself.
const BotUser = "UBOT"

// Call is one recorded Web API request.
type Call struct {
	Method string
	// TS is the message timestamp the fake answered with.
	TS   string
	Form url.Values
	JSON map[string]any
}

// Server is slacktest with handlers that record chat.postMessage,
// chat.update, chat.postEphemeral and views.open, answer unique message
// timestamps, and can refuse posts with 429 to simulate a rate-limit storm.
type Server struct {
	*slacktest.Server
	mu        sync.Mutex
	calls     []Call
	ts        int
	limitNext int // the next limitNext posts and updates get a 429
	groups    map[string][]string
	groupHits int
	socketURL string // answered by apps.connections.open
	attempts  int    // chat.postMessage requests, refused ones included
	scopes    *string
}

// New starts a Server that stops when t's test ends.
func New(t testing.TB) *Server {
	f := &Server{groups: map[string][]string{}}
	f.Server = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, _ *http.Request) {
			f.mu.Lock()
			if f.scopes != nil {
				w.Header().Set("X-OAuth-Scopes", *f.scopes)
			}
			f.mu.Unlock()
			fmt.Fprintf(w, `{"ok":true,"user_id":%q,"user":"intake","team_id":"T1"}`, BotUser)
		})
		c.Handle("/chat.postMessage", f.post("chat.postMessage"))
		c.Handle("/chat.update", f.post("chat.update"))
		c.Handle("/chat.postEphemeral", f.post("chat.postEphemeral"))
		c.Handle("/views.open", f.post("views.open"))
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, _ *http.Request) {
			f.mu.Lock()
			u := f.socketURL
			f.mu.Unlock()
			fmt.Fprintf(w, `{"ok":true,"url":%q}`, u)
		})
		c.Handle("/usergroups.users.list", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			f.mu.Lock()
			f.groupHits++
			users := f.groups[r.Form.Get("usergroup")]
			f.mu.Unlock()
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "users": users})
		})
		c.Handle("/users.info", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"name":"n","real_name":"Real Name","profile":{"display_name":"Dee"}}}`, r.Form.Get("user"))
		})
	})
	f.Start()
	t.Cleanup(f.Stop)
	return f
}

// APIURL is the base URL to give the client (config's api_url).
func (f *Server) APIURL() string { return f.GetAPIURL() }

// SetScopes makes auth.test report the token's scopes in X-OAuth-Scopes, as
// Slack does; by default the header is absent.
func (f *Server) SetScopes(scopes ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := strings.Join(scopes, ",")
	f.scopes = &s
}

// SetGroup makes usergroups.users.list answer users for the group id.
func (f *Server) SetGroup(id string, users ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groups[id] = users
}

// GroupHits is how many times usergroups.users.list was called.
func (f *Server) GroupHits() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.groupHits
}

// SetSocketURL sets the URL apps.connections.open answers.
func (f *Server) SetSocketURL(u string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.socketURL = u
}

// Limit makes the next n chat.postMessage and chat.update requests fail with
// 429 and Retry-After: 1.
func (f *Server) Limit(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limitNext = n
}

// Limited is how many 429s are still to be given.
func (f *Server) Limited() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.limitNext
}

// Attempts is how many chat.postMessage requests arrived, refused ones
// included.
func (f *Server) Attempts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts
}

func (f *Server) post(method string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c := Call{Method: method}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			_ = json.Unmarshal(body, &c.JSON)
		} else {
			c.Form, _ = url.ParseQuery(string(body))
		}
		f.mu.Lock()
		if method == "chat.postMessage" {
			f.attempts++
		}
		if (method == "chat.postMessage" || method == "chat.update") && f.limitNext > 0 {
			f.limitNext--
			f.mu.Unlock()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		f.ts++
		ts := fmt.Sprintf("1700000000.%06d", f.ts)
		c.TS = ts
		f.calls = append(f.calls, c)
		f.mu.Unlock()
		switch method {
		case "views.open":
			fmt.Fprint(w, `{"ok":true,"view":{"id":"V1"}}`)
		case "chat.postEphemeral":
			fmt.Fprintf(w, `{"ok":true,"message_ts":%q}`, ts)
		default:
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, c.Form.Get("channel"), ts)
		}
	}
}

// Calls returns the accepted requests to method ("chat.postMessage",
// "chat.update", "chat.postEphemeral", "views.open"), oldest first.
func (f *Server) Calls(method string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}
