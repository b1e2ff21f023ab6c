package triage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/internal/textproc"
)

// actor names the bot on incident timelines.
const actor = "triage-bot"

// Steps of the per-incident conversation. Every step but start and done
// waits for the customer under a durable timer (see timers).
const (
	stepStart    = ""         // nothing asked yet
	stepDescribe = "describe" // asked for a description of the problem
	stepChoose   = "choose"   // offered a choice of articles
	stepDetails  = "details"  // asked for the details a person needs, before handing over
	stepConfirm  = "confirm"  // answered, waiting for "did that solve it?"
	stepDone     = "done"     // resolved, closed or handed to the humans
)

// state is the bot's memory of one incident, stored as JSON in inc.Triage so
// that a restart resumes the conversation.
type state struct {
	Step       string   `json:"step"`
	Lang       string   `json:"lang,omitempty"`
	Category   string   `json:"category,omitempty"`
	Article    string   `json:"article,omitempty"`
	Confidence float64  `json:"confidence,omitempty"`
	Problem    string   `json:"problem,omitempty"` // what the customer wrote about the problem
	Asked      []string `json:"asked,omitempty"`   // details asked for
	// HandOver is the reason of the hand-over that waits for the details;
	// FirstChecks an article whose answer goes with it.
	HandOver    string   `json:"hand_over,omitempty"`
	FirstChecks string   `json:"first_checks,omitempty"`
	Choices     []string `json:"choices,omitempty"` // articles offered
	Offered     bool     `json:"offered,omitempty"` // a choice was offered once
	Rephrased   bool     `json:"rephrased,omitempty"`
	Tried       []string `json:"tried,omitempty"` // articles answered with
	// OutOfScope marks a conversation closed as out of scope: the customer
	// writing again is handed to a person.
	OutOfScope bool      `json:"out_of_scope,omitempty"`
	AnsweredAt time.Time `json:"answered_at,omitempty"`
	AskedAt    time.Time `json:"asked_at,omitempty"`
}

// maxProblem bounds the problem text kept in the state.
const maxProblem = 2000

// Bot is the Level I conversation: one instance serves every incident. It
// is a pure handler: it changes the incident it is given and returns an
// Outcome (replies, the escalation, its timers); the spine does the rest.
type Bot struct {
	c    *Classifier
	opts settings
}

// NewBot returns a bot answering from c's knowledge base with c's options.
func NewBot(c *Classifier) *Bot { return &Bot{c: c, opts: c.opts} }

// New trains a classifier on k and returns the bot built on it.
func New(k *KB, cfg config.Triage, opts ...Option) (*Bot, error) {
	c, err := NewClassifier(k, cfg, opts...)
	if err != nil {
		return nil, err
	}
	return NewBot(c), nil
}

// Classifier returns the classifier the bot decides with.
func (b *Bot) Classifier() *Classifier { return b.c }

func decodeState(inc *intake.Incident) state {
	var st state
	if len(inc.Triage) > 0 && json.Unmarshal(inc.Triage, &st) != nil {
		st = state{} // a corrupt state restarts the conversation rather than failing it
	}
	return st
}

func (b *Bot) save(inc *intake.Incident, st state) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("triage %s: encode state: %w", inc.ID, err)
	}
	inc.Triage = data
	return nil
}

// move transitions inc unless it is already there.
func (b *Bot) move(inc *intake.Incident, to intake.Status, note string) error {
	if inc.Status == to {
		return nil
	}
	if err := inc.Transition(to, actor, b.opts.clock(), note); err != nil {
		return fmt.Errorf("triage: %w", err)
	}
	return nil
}

func reply(text, lang string, buttons ...intake.Button) intake.Reply {
	return intake.Reply{Text: text, Language: lang, Buttons: buttons, Auto: true}
}

// Handle advances the conversation of inc with msg. It returns replies to
// send, the bot's timer and, when Level I gives up, an Escalation.
// Auto-replies and messages on incidents the humans own get no answer. It
// fails only when the status machine refuses a move or the state cannot be
// encoded.
func (b *Bot) Handle(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	if err := ctx.Err(); err != nil {
		return intake.Outcome{}, fmt.Errorf("triage %s: %w", inc.ID, err)
	}
	if msg.AutoReply {
		return intake.Outcome{}, nil
	}
	if msg.Channel == intake.ChannelSystem {
		return b.Expire(inc, intake.SystemEvent(msg.Action), b.opts.clock())
	}
	switch inc.Status {
	case intake.StatusEscalated, intake.StatusClaimed:
		return intake.Outcome{}, nil
	}
	st := decodeState(inc)
	reopened := inc.Status == intake.StatusResolved || inc.Status == intake.StatusClosed || st.Step == stepDone
	if reopened {
		st = state{Lang: st.Lang, OutOfScope: st.OutOfScope && st.Step == stepDone, Problem: st.Problem}
		if !st.OutOfScope {
			st.Problem = "" // a reopened incident starts a new conversation
		}
	}
	if err := b.move(inc, intake.StatusTriage, "Level I triage"); err != nil {
		return intake.Outcome{}, err
	}
	text := msg.Text
	if st.Step == stepStart && st.Problem == "" && msg.Subject != "" && !strings.Contains(text, msg.Subject) {
		text = msg.Subject + "\n" + text
	}
	text = textproc.Truncate(text, textproc.MaxAnalysed)
	out, err := b.step(inc, &st, msg.Action, text)
	if err != nil {
		return intake.Outcome{}, err
	}
	if out.Escalate != nil {
		st.Step = stepDone
	}
	if err := b.save(inc, st); err != nil {
		return intake.Outcome{}, err
	}
	out.Timers = b.timers(inc, st)
	return out, nil
}

// step runs the handler of the conversation's step. Whatever the bot asked
// last, a request for a person, urgency and a clear "it works now" win.
func (b *Bot) step(inc *intake.Incident, st *state, action, text string) (intake.Outcome, error) {
	if st.OutOfScope {
		return b.onInsist(inc, st, text)
	}
	if st.Step == stepStart {
		return b.onFirst(inc, st, text)
	}
	n := normalize(text)
	if wantsHuman(n) {
		return b.escalate(inc, st, "asked_for_human", ""), nil
	}
	if isUrgent(n) {
		return b.escalate(inc, st, "urgent", ""), nil
	}
	if st.Step == stepConfirm {
		return b.onConfirm(inc, st, action, text)
	}
	if saysFixed(action, n) {
		return b.resolve(inc, st)
	}
	switch st.Step {
	case stepDetails:
		return b.onDetails(inc, st, n, action, text)
	case stepChoose:
		return b.onChoose(inc, st, n, action, text)
	}
	return b.onFirst(inc, st, text) // stepDescribe: the description
}

func (b *Bot) record(inc *intake.Incident, d Decision) {
	inc.Record(intake.Event{Kind: intake.EventTriage, Actor: actor, At: b.opts.clock(),
		Text: fmt.Sprintf("language=%s category=%s article=%s confidence=%.3f action=%s reason=%s",
			d.Language, d.Category, d.Article, d.Confidence, d.Action, d.Reason)})
}

func setDetail(inc *intake.Incident, name, value string) {
	if inc.Details == nil {
		inc.Details = map[string]string{}
	}
	if inc.Details[name] == "" {
		inc.Details[name] = textproc.Truncate(strings.TrimSpace(value), 1000)
	}
}

// wait sends r and waits for the customer in step, under the answer timer.
func (b *Bot) wait(inc *intake.Incident, st *state, step string, r intake.Reply) (intake.Outcome, error) {
	st.Step = step
	if step == stepConfirm {
		st.AnsweredAt = b.opts.clock()
	} else {
		st.AskedAt = b.opts.clock()
	}
	if err := b.move(inc, intake.StatusAwaitingCustomer, "waiting for the customer"); err != nil {
		return intake.Outcome{}, err
	}
	return intake.Outcome{Replies: []intake.Reply{r}}, nil
}

// resolve closes the conversation as solved by the bot's help.
func (b *Bot) resolve(inc *intake.Incident, st *state) (intake.Outcome, error) {
	lang := replyLang(st.Lang)
	note := "solved by the Level I answer " + st.Article
	if len(st.Tried) == 0 {
		note = "the customer says it works now"
	}
	if err := b.move(inc, intake.StatusResolved, note); err != nil {
		return intake.Outcome{}, err
	}
	st.Step = stepDone
	return intake.Outcome{Replies: []intake.Reply{reply(say("resolved", lang), lang)}}, nil
}
