package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	slackapi "github.com/slack-go/slack"
)

// maxBody bounds the request bodies read from Slack.
const maxBody = 1 << 20

// maxSkew is how old (or how far ahead) a request timestamp may be.
const maxSkew = 5 * time.Minute

// Handlers returns the HTTP-mode endpoints, to be mounted for POST:
// "/slack/events" (Events API) and "/slack/interactions" (buttons, modals).
// Each verifies the request signature and answers only once the message is
// in the inbox: 200 then, 500 when the inbox failed so that Slack retries,
// 401 for a bad signature or stale timestamp.
func (a *Adapter) Handlers() map[string]http.Handler {
	return map[string]http.Handler{
		"/slack/events":       http.HandlerFunc(a.serveEvents),
		"/slack/interactions": http.HandlerFunc(a.serveInteractions),
	}
}

// verified reads the body of r and checks its signature and age.
func (a *Adapter) verified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	// The age is checked against the adapter's clock; the verifier checks
	// it again against the wall clock, which agrees outside tests.
	ts, err := strconv.ParseInt(r.Header.Get("X-Slack-Request-Timestamp"), 10, 64)
	if err != nil || a.opts.now().Sub(time.Unix(ts, 0)).Abs() > maxSkew {
		a.log.Warn("slack request with a stale or missing timestamp refused", "path", r.URL.Path)
		http.Error(w, "stale request", http.StatusUnauthorized)
		return nil, false
	}
	sv, err := slackapi.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
	if err == nil {
		_, err = sv.Write(body)
	}
	if err == nil {
		err = sv.Ensure()
	}
	if err != nil {
		a.log.Warn("slack request with a bad signature refused", "path", r.URL.Path, "err", err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verified(w, r)
	if !ok {
		return
	}
	var ev outerEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	switch ev.Type {
	case "url_verification":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"challenge": ev.Challenge})
		return
	case "event_callback":
	default:
		w.WriteHeader(http.StatusOK)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.opts.ackBudget)
	defer cancel()
	if err := a.handleEventCallback(ctx, ev); err != nil {
		a.fail(w, "event", err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveInteractions(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verified(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "no payload", http.StatusBadRequest)
		return
	}
	var cb slackapi.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.opts.ackBudget)
	defer cancel()
	if err := a.handleInteraction(ctx, &cb); err != nil {
		a.fail(w, "interaction", err)
		return
	}
	// An empty 200 acknowledges a press and closes a submitted modal.
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) fail(w http.ResponseWriter, what string, err error) {
	status := http.StatusInternalServerError
	if errors.Is(err, errNotRunning) {
		status = http.StatusServiceUnavailable
	}
	a.log.Warn("slack "+what+" not stored; Slack will retry", "err", err)
	http.Error(w, "not stored", status)
}
