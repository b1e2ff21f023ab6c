package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// actions are what agents may do to an incident, by the name in the URL.
var actions = map[string]bool{"claim": true, "release": true, "escalate": true, "reply": true, "note": true, "resolve": true}

// maxText bounds a reply, a note or a resolution.
const maxText = 20_000

// actionRequest is one agent action, from a form or JSON.
type actionRequest struct {
	Action string `json:"-"`
	Text   string `json:"text"`
	Target string `json:"tier"`
	// Nonce makes a resubmitted form or a retried request one action.
	Nonce string `json:"nonce"`
}

// actionError is a refusal with its HTTP status.
type actionError struct {
	code int
	msg  string
}

func (e *actionError) Error() string { return e.msg }

// act checks that u may do req on incident id, then hands it to the inbox
// as an agent message, the path Slack clicks take, and waits a moment for it
// to be handled. It returns the message ID and the incident as it stands.
func (a *Adapter) act(ctx context.Context, u *User, id intake.IncidentID, req actionRequest) (intake.MessageID, *intake.Incident, error) {
	if !actions[req.Action] {
		return "", nil, &actionError{http.StatusNotFound, fmt.Sprintf("unknown action %q: want claim, release, escalate, reply, note or resolve", req.Action)}
	}
	req.Text = strings.TrimSpace(req.Text)
	switch {
	case len(req.Text) > maxText:
		return "", nil, &actionError{http.StatusRequestEntityTooLarge, fmt.Sprintf("the text is longer than %d bytes", maxText)}
	case (req.Action == "reply" || req.Action == "note") && req.Text == "":
		return "", nil, &actionError{http.StatusBadRequest, "write the text of the " + req.Action}
	}
	inc, err := a.opts.Store.GetIncident(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, &actionError{http.StatusNotFound, string(id) + " not found"}
	}
	if err != nil {
		return "", nil, fmt.Errorf("act on %s: %w", id, err)
	}
	if !u.MayAct(inc.Tier) {
		return "", nil, &actionError{http.StatusForbidden, fmt.Sprintf("%s is in tier %s; you act on %s only", id, orNone(string(inc.Tier)), tiersOf(u))}
	}
	if req.Target != "" {
		if _, ok := a.config().Tier(intake.TierID(req.Target)); !ok {
			return "", nil, &actionError{http.StatusBadRequest, fmt.Sprintf("no tier %q", req.Target)}
		}
	}
	nonce := req.Nonce
	if nonce == "" || len(nonce) > 64 {
		if nonce, err = randomID(); err != nil {
			return "", nil, err
		}
	}
	msg := &intake.Message{
		ID:           intake.MessageID("web:" + u.Email + ":" + nonce),
		Channel:      intake.ChannelWeb,
		From:         intake.Customer{Channel: intake.ChannelWeb, ID: u.Email, Name: u.Name, Verified: true},
		Conversation: intake.Conversation{Channel: intake.ChannelWeb, Address: string(inc.Tier)},
		ThreadKeys:   []intake.ThreadKey{intake.TokenThreadKey(id)},
		Text:         req.Text,
		FromAgent:    true,
		Action:       req.Action,
		Target:       req.Target,
		ReceivedAt:   a.opts.Clock().UTC(),
	}
	if err := a.opts.Inbox.Accept(ctx, msg); err != nil {
		return "", nil, fmt.Errorf("queue %s on %s: %w", req.Action, id, err)
	}
	a.log.Info("agent action queued", "incident", id, "action", req.Action, "user", u.Email)
	return msg.ID, a.await(ctx, id, msg.ID, inc), nil
}

// await polls the incident until msg is on its timeline or the wait is over,
// and returns the latest version read.
func (a *Adapter) await(ctx context.Context, id intake.IncidentID, msg intake.MessageID, last *intake.Incident) *intake.Incident {
	ctx, cancel := context.WithTimeout(ctx, a.opts.Wait)
	defer cancel()
	for {
		if inc, err := a.opts.Store.GetIncident(ctx, id); err == nil {
			last = inc
			if inc.HasMessage(intake.ChannelWeb, msg) {
				return inc
			}
		}
		select {
		case <-ctx.Done():
			return last
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func tiersOf(u *User) string {
	var s []string
	for _, t := range u.Tiers {
		s = append(s, string(t))
	}
	return orNone(strings.Join(s, ", "))
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// formAction is an action from a form on the incident page.
func (a *Adapter) formAction(w http.ResponseWriter, r *http.Request, u *User) {
	id, ok := intake.ParseIncidentID(r.PathValue("id"))
	if !ok {
		a.fail(w, r, u, http.StatusBadRequest, "not an incident id: want INC-000123")
		return
	}
	req := actionRequest{Action: r.PathValue("action"), Text: r.PostFormValue("text"), Target: r.PostFormValue("tier"), Nonce: r.PostFormValue("nonce")}
	msg, _, err := a.act(r.Context(), u, id, req)
	var ae *actionError
	switch {
	case errors.As(err, &ae):
		a.fail(w, r, u, ae.code, ae.msg)
		return
	case err != nil:
		a.log.Error("agent action", "incident", id, "err", err)
		a.fail(w, r, u, http.StatusInternalServerError, "the action could not be queued; nothing changed")
		return
	}
	http.Redirect(w, r, "/desk/incidents/"+string(id)+"?after="+url.QueryEscape(string(msg)), http.StatusSeeOther)
}

// apiAction is POST /api/v1/incidents/{id}/{action}: a session cookie with
// the X-CSRF-Token header, or HTTP Basic credentials of a desk user.
func (a *Adapter) apiAction(w http.ResponseWriter, r *http.Request) {
	cfg := a.config()
	var u *User
	if email, password, ok := r.BasicAuth(); ok {
		wu, err := a.auth.login(&cfg.Web, clientIP(r), email, password)
		if err != nil {
			code := http.StatusUnauthorized
			if errors.Is(err, ErrTooManyLogins) {
				code = http.StatusTooManyRequests
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="intake"`)
			writeJSON(w, code, map[string]string{"error": err.Error()})
			return
		}
		u = &User{Name: wu.Name, Email: strings.ToLower(wu.Email), Role: wu.Role, Tiers: wu.Tiers}
	} else {
		su, err := a.auth.user(r.Context(), &cfg.Web, r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Basic realm="intake"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": ErrNoSession.Error()})
			return
		}
		if !a.auth.checkCSRF(r, su.Session) {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": ErrBadCSRF.Error()})
			return
		}
		u = su
	}
	id, ok := intake.ParseIncidentID(r.PathValue("id"))
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "not an incident id: want INC-000123"})
		return
	}
	req := actionRequest{}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 2*maxText)).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body must be JSON such as {\"text\": \"...\", \"tier\": \"L3\"}"})
			return
		}
	}
	req.Action = r.PathValue("action")
	msg, inc, err := a.act(r.Context(), u, id, req)
	var ae *actionError
	switch {
	case errors.As(err, &ae):
		writeJSON(w, ae.code, map[string]string{"error": ae.msg})
		return
	case err != nil:
		a.log.Error("agent action", "incident", id, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "the action could not be queued; nothing changed"})
		return
	}
	res := map[string]any{"message_id": msg, "incident": id, "status": inc.Status, "tier": inc.Tier, "claimed_by": inc.ClaimedBy, "handled": inc.HasMessage(intake.ChannelWeb, msg)}
	var notices []string
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventReply && e.MessageID == msg && e.Reply != nil && e.Reply.Card == nil && e.Reply.ThreadOf != "" &&
			(e.Reply.EphemeralTo == "" || e.Reply.EphemeralTo == u.Email) {
			notices = append(notices, plainMentions(e.Reply.Text))
		}
	}
	res["notices"] = notices
	code := http.StatusOK
	if !res["handled"].(bool) {
		code = http.StatusAccepted
	}
	writeJSON(w, code, res)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
