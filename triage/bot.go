package triage

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/triage/kb"
	"github.com/intake-support/intake/triage/textproc"
)

// actor names the bot on incident timelines.
const actor = "triage-bot"

// Steps of the per-incident conversation.
const (
	stepStart   = ""        // nothing asked yet
	stepDetails = "details" // waiting for the details of the category
	stepConfirm = "confirm" // answered, waiting for "did that solve it?"
	stepDone    = "done"    // resolved or handed to the humans
)

// state is the bot's memory of one incident, stored as JSON in inc.Triage so
// that a restart resumes the conversation.
type state struct {
	Step       string    `json:"step"`
	Lang       string    `json:"lang,omitempty"`
	Category   string    `json:"category,omitempty"`
	Article    string    `json:"article,omitempty"`
	Confidence float64   `json:"confidence,omitempty"`
	Problem    string    `json:"problem,omitempty"` // what the customer first wrote
	Asked      []string  `json:"asked,omitempty"`   // details asked for
	Rephrased  bool      `json:"rephrased,omitempty"`
	Tried      []string  `json:"tried,omitempty"` // articles answered with
	AnsweredAt time.Time `json:"answered_at,omitempty"`
}

// maxProblem bounds the problem text kept in the state.
const maxProblem = 2000

// Bot is the Level I conversation: one instance serves every incident.
type Bot struct {
	c    *Classifier
	opts Options
}

// NewBot returns a bot answering from c's knowledge base with c's options.
func NewBot(c *Classifier) *Bot { return &Bot{c: c, opts: c.opts} }

// New trains a classifier on k and returns the bot built on it.
func New(k *KB, opts Options) (*Bot, error) {
	c, err := NewClassifier(k, opts)
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
	if err := inc.Transition(to, actor, b.opts.Clock(), note); err != nil {
		return fmt.Errorf("triage: %w", err)
	}
	return nil
}

func reply(text, lang string, buttons ...intake.Button) intake.Reply {
	return intake.Reply{Text: text, Language: lang, Buttons: buttons, Auto: true}
}

// Handle advances the conversation of inc with msg. It returns replies to
// send and, when Level I gives up, an Escalation. Auto-replies and messages
// on incidents the humans own get no answer. It fails only when the status
// machine refuses a move or the state cannot be encoded.
func (b *Bot) Handle(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	if err := ctx.Err(); err != nil {
		return intake.Outcome{}, fmt.Errorf("triage %s: %w", inc.ID, err)
	}
	if msg.AutoReply {
		return intake.Outcome{}, nil
	}
	switch inc.Status {
	case intake.StatusEscalated, intake.StatusClaimed:
		return intake.Outcome{}, nil
	case intake.StatusResolved, intake.StatusClosed:
		inc.Triage = nil // a reopened incident starts a new conversation
	}
	st := decodeState(inc)
	if st.Step == stepDone {
		st = state{}
	}
	if err := b.move(inc, intake.StatusTriage, "Level I triage"); err != nil {
		return intake.Outcome{}, err
	}
	text := msg.Text
	if st.Step == stepStart && st.Problem == "" && msg.Subject != "" && !strings.Contains(text, msg.Subject) {
		text = msg.Subject + "\n" + text
	}
	text = textproc.Truncate(text, textproc.MaxAnalysed)
	var (
		out intake.Outcome
		err error
	)
	switch st.Step {
	case stepDetails:
		out, err = b.onDetails(inc, &st, text)
	case stepConfirm:
		out, err = b.onConfirm(inc, &st, msg.Action, text)
	default:
		out, err = b.onFirst(inc, &st, text)
	}
	if err != nil {
		return intake.Outcome{}, err
	}
	if out.Escalate != nil || st.Step == stepDone {
		st.Step = stepDone
	}
	if err := b.save(inc, st); err != nil {
		return intake.Outcome{}, err
	}
	return out, nil
}

func (b *Bot) record(inc *intake.Incident, d Decision) {
	inc.Record(intake.Event{Kind: intake.EventTriage, Actor: actor, At: b.opts.Clock(),
		Text: fmt.Sprintf("language=%s category=%s article=%s confidence=%.3f action=%s reason=%s",
			d.Language, d.Category, d.Article, d.Confidence, d.Action, d.Reason)})
}

// onFirst handles the message that opens the conversation (or a rephrasing).
func (b *Bot) onFirst(inc *intake.Incident, st *state, text string) (intake.Outcome, error) {
	problem := text
	if st.Problem != "" {
		problem = st.Problem + "\n" + text
	}
	d := b.c.decide(problem, st.Lang, inc.Details)
	b.record(inc, d)
	if d.Language != "" {
		st.Lang = d.Language
		inc.Language = d.Language
	}
	st.Problem = textproc.Truncate(problem, maxProblem)
	st.Category, st.Article, st.Confidence = d.Category, d.Article, d.Confidence
	if d.Category != "" {
		inc.Category = d.Category
	}
	setDetail(inc, "description", st.Problem)
	switch {
	case d.Reason == "out_of_scope":
		return b.escalate(inc, st, d.Reason, d.Article), nil
	case d.Action == ActionEscalate:
		return b.escalate(inc, st, d.Reason, ""), nil
	case d.Reason == "empty" || d.Reason == "too_short":
		if st.Rephrased {
			return b.escalate(inc, st, "low_confidence", ""), nil
		}
		st.Rephrased = true
		return b.wait(inc, reply(say("describe", st.Lang), replyLang(st.Lang)))
	case d.Action == ActionAsk:
		st.Step, st.Asked = stepDetails, d.Missing
		text := say("greet", st.Lang) + "\n\n" + askDetails(d.Missing, st.Lang)
		return b.wait(inc, reply(text, replyLang(st.Lang)))
	}
	return b.answer(inc, st, say("greet", st.Lang)+"\n\n")
}

// wait sends r and waits for the customer.
func (b *Bot) wait(inc *intake.Incident, r intake.Reply) (intake.Outcome, error) {
	if err := b.move(inc, intake.StatusAwaitingCustomer, "waiting for the customer"); err != nil {
		return intake.Outcome{}, err
	}
	return intake.Outcome{Replies: []intake.Reply{r}}, nil
}

func setDetail(inc *intake.Incident, name, value string) {
	if inc.Details == nil {
		inc.Details = map[string]string{}
	}
	if inc.Details[name] == "" {
		inc.Details[name] = textproc.Truncate(strings.TrimSpace(value), 1000)
	}
}

// onDetails records the customer's answer to the detail questions, then
// answers or hands over.
func (b *Bot) onDetails(inc *intake.Incident, st *state, text string) (intake.Outcome, error) {
	n := normalize(text)
	if wantsHuman(n) {
		return b.escalate(inc, st, "asked_for_human", ""), nil
	}
	if isUrgent(n) {
		return b.escalate(inc, st, "urgent", ""), nil
	}
	for _, name := range st.Asked {
		setDetail(inc, name, text)
	}
	st.Asked = nil
	if slices.Contains(b.opts.EscalateCategories, st.Category) {
		return b.escalate(inc, st, "category", st.Article), nil
	}
	if st.Article == "" {
		return b.escalate(inc, st, "low_confidence", ""), nil
	}
	return b.answer(inc, st, "")
}

// answer sends st.Article's answer and asks whether it solved the problem.
func (b *Bot) answer(inc *intake.Incident, st *state, prefix string) (intake.Outcome, error) {
	a := b.c.kb.Article(st.Article)
	if a == nil {
		return b.escalate(inc, st, "low_confidence", ""), nil
	}
	if slices.Contains(b.opts.EscalateCategories, a.Category) {
		return b.escalate(inc, st, "category", a.ID), nil
	}
	lang := replyLang(st.Lang)
	st.Tried = append(st.Tried, a.ID)
	st.Step, st.AnsweredAt = stepConfirm, b.opts.Clock()
	text := prefix + say("answer", lang) + "\n\n" + strings.TrimSpace(a.AnswerIn(lang)) + "\n\n" + say("confirm", lang)
	return b.wait(inc, reply(text, lang,
		intake.Button{Action: ActionSolved, Label: say("yes", lang)},
		intake.Button{Action: ActionNotSolved, Label: say("no", lang)}))
}

// onConfirm handles the answer to "did that solve it?".
func (b *Bot) onConfirm(inc *intake.Incident, st *state, action, text string) (intake.Outcome, error) {
	n := normalize(text)
	if wantsHuman(n) {
		return b.escalate(inc, st, "asked_for_human", ""), nil
	}
	switch answerKind(action, n) {
	case 1:
		lang := replyLang(st.Lang)
		if err := b.move(inc, intake.StatusResolved, "solved by the Level I answer "+st.Article); err != nil {
			return intake.Outcome{}, err
		}
		st.Step = stepDone
		return intake.Outcome{Replies: []intake.Reply{reply(say("resolved", lang), lang)}}, nil
	case -1:
		return b.escalate(inc, st, "not_solved", ""), nil
	}
	// Neither yes nor no: more information. One more try with a different
	// confident article; a second failed answer goes to the humans.
	d := b.c.decide(st.Problem+"\n"+text, st.Lang, inc.Details)
	b.record(inc, d)
	if len(st.Tried) < 2 && d.Article != "" && !slices.Contains(st.Tried, d.Article) && d.Action != ActionEscalate {
		st.Article, st.Category, st.Confidence = d.Article, d.Category, d.Confidence
		return b.answer(inc, st, "")
	}
	return b.escalate(inc, st, "not_solved", ""), nil
}

// escalate hands the incident to the humans with what the bot learned;
// firstChecks, when set, is an article whose answer is sent meanwhile (for an
// out-of-scope article, its answer is the note that comes before the hand-over).
func (b *Bot) escalate(inc *intake.Incident, st *state, reason, firstChecks string) intake.Outcome {
	st.Step = stepDone
	details := make(map[string]string, len(inc.Details))
	for k, v := range inc.Details {
		details[k] = v
	}
	esc := &intake.Escalation{Reason: reason, Language: st.Lang, Category: st.Category,
		Confidence: st.Confidence, Details: details, Tried: slices.Clone(st.Tried)}
	if reason == "urgent" && esc.Category == "" {
		esc.Category = "outage"
	}
	var text, lang string
	if st.Lang != "" && !slices.Contains(b.opts.Languages, st.Lang) || st.Lang == "" {
		text, lang = bilingual("escalate"), "en"
	} else {
		lang = replyLang(st.Lang)
		key := "escalate"
		if reason == "urgent" {
			text = say("urgent", lang) + " "
		}
		a := b.c.kb.Article(firstChecks)
		switch {
		case a == nil:
			text += say(key, lang)
		case a.Category == kb.OutOfScope:
			// The desk's own words on what it does not handle, then the hand-over.
			text += strings.TrimSpace(a.AnswerIn(lang)) + " " + say(key, lang)
		default:
			text += say(key, lang) + "\n\n" + say("first_checks", lang) + "\n\n" + strings.TrimSpace(a.AnswerIn(lang))
			esc.Tried = append(esc.Tried, a.ID)
		}
	}
	return intake.Outcome{Replies: []intake.Reply{reply(text, lang)}, Escalate: esc}
}

// Expire resolves inc softly when the bot asked "did that solve it?" more
// than ConfirmWithin before now and got no reply. The timer calls it; ok
// reports whether anything changed.
func (b *Bot) Expire(inc *intake.Incident, now time.Time) (out intake.Outcome, ok bool, err error) {
	st := decodeState(inc)
	if st.Step != stepConfirm || inc.Status != intake.StatusAwaitingCustomer || now.Sub(st.AnsweredAt) < b.opts.ConfirmWithin {
		return intake.Outcome{}, false, nil
	}
	if err := inc.Transition(intake.StatusResolved, actor, now, "no reply to \"did that solve it?\": resolved (soft)"); err != nil {
		return intake.Outcome{}, false, fmt.Errorf("triage expire: %w", err)
	}
	st.Step = stepDone
	if err := b.save(inc, st); err != nil {
		return intake.Outcome{}, false, err
	}
	lang := replyLang(st.Lang)
	return intake.Outcome{Replies: []intake.Reply{reply(say("expired", lang), lang)}}, true, nil
}

// ConfirmDeadline returns when Expire will resolve inc, if it is waiting
// for a confirmation.
func (b *Bot) ConfirmDeadline(inc *intake.Incident) (time.Time, bool) {
	st := decodeState(inc)
	if st.Step != stepConfirm {
		return time.Time{}, false
	}
	return st.AnsweredAt.Add(b.opts.ConfirmWithin), true
}
