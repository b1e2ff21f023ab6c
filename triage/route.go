package triage

import (
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/internal/textproc"
	"github.com/intake-support/intake/triage/kb"
	"github.com/intake-support/intake/triage/lang"
	"github.com/intake-support/intake/triage/model"
)

// The actions a Decision can take.
const (
	ActionAnswer   = "answer"
	ActionAsk      = "ask"
	ActionEscalate = "escalate"
	// ActionClose closes an out-of-scope request with a polite reply and
	// no hand-over; the customer writing again gets a person.
	ActionClose = "close"
)

// Decision is what Level I makes of one message on its own: the JSON of
// `intake route -json`. Tier and Rule are filled by the escalation routing.
type Decision struct {
	Language   string   `json:"language"`
	Category   string   `json:"category"`
	Confidence float64  `json:"confidence"`
	Article    string   `json:"article"`
	Missing    []string `json:"missing"`
	// Choices are the articles offered when the match is plausible but not
	// confident (reason "choose"), best first.
	Choices []string `json:"choices,omitempty"`
	Action  string   `json:"action"`
	Reason  string   `json:"reason,omitempty"`
	Tier    string   `json:"tier,omitempty"`
	Rule    string   `json:"rule,omitempty"`

	// top is the best article index even when the decision does not answer,
	// for evaluation; -1 when there is none.
	top int
}

// Classifier detects the language and classifies messages against a KB. It
// is immutable and safe for concurrent use.
type Classifier struct {
	opts settings
	kb   *KB
	det  *lang.Detector
	m    *model.Model
	// shared are the KB's words common to several of the desk's languages,
	// left out when detecting a message's language.
	shared map[string]bool
}

// NewClassifier trains a classifier on k.
func NewClassifier(k *KB, cfg config.Triage, opts ...Option) (*Classifier, error) {
	s := newSettings(cfg, opts)
	m, err := model.Build(k, s.model)
	if err != nil {
		return nil, fmt.Errorf("new classifier: %w", err)
	}
	return &Classifier{opts: s, kb: k, det: lang.New(), m: m, shared: sharedWords(k, s.Languages)}, nil
}

// KB returns the knowledge base the classifier was trained on.
func (c *Classifier) KB() *KB { return c.kb }

// Threshold returns the confidence needed to answer.
func (c *Classifier) Threshold() float64 { return c.opts.Threshold }

// letters counts letters in s, looking at most at its first max bytes.
func letters(s string, max int) int {
	s = textproc.Truncate(s, max)
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if unicode.IsLetter(r) {
			n++
		}
		s = s[size:]
	}
	return n
}

// Route decides what Level I would do with text as the first message of an
// incident. It never fails: empty or junk input asks for a description.
func (c *Classifier) Route(text string) Decision {
	return c.decide(text, "", nil)
}

// decide is Route with a language hint (used when the text is too short to
// tell) and details already collected.
func (c *Classifier) decide(text, hint string, have map[string]string) Decision {
	text = textproc.Truncate(text, textproc.MaxAnalysed)
	d := Decision{Missing: []string{}, top: -1}
	if letters(text, 512) < 2 {
		d.Language = hint
		d.Action, d.Reason = ActionAsk, "empty"
		return d
	}
	lr := c.det.DetectPrefer(withoutWords(ownWords(text), c.shared), c.opts.Languages, langSlack)
	d.Language = lr.Lang
	if hint != "" && (lr.Confidence < 0.9 || lr.Lang == "") {
		d.Language = hint
	}
	res := c.m.Predict(text, d.Language)
	if len(res.Hits) > 0 {
		d.top = res.Hits[0].Article
		a := c.m.Articles()[d.top]
		d.Category = a.Category
		d.Confidence = round3(res.Confidence)
		// A match made of pieces of words only ("vale" taken for "válida")
		// is no match: some word of the message must be one the KB knows.
		if res.Confidence >= c.opts.Threshold && res.Known > 0 {
			d.Article = a.ID
		} else if res.Confidence >= c.opts.Threshold*choiceShare && res.Known > 0 {
			d.Choices = c.choices(res.Hits)
		}
	}
	n := normalize(text)
	content := n.wordsBesides(courtesyWords)
	switch {
	case !slices.Contains(c.opts.Languages, d.Language):
		d.Action, d.Reason = ActionEscalate, "language"
	case wantsHuman(n):
		d.Action, d.Reason = ActionEscalate, "asked_for_human"
		if !c.describesProblem(n, d.Language) {
			// "quiero hablar con una persona" names no problem: a category
			// guessed from it would only misroute the escalation.
			d.Category, d.Article, d.Confidence = "", "", 0
		}
	case isUrgent(n):
		d.Action, d.Reason = ActionEscalate, "urgent"
		if d.Article == "" {
			d.Category = "outage"
		}
	case content == 0:
		// Greetings and "help please" only: whichever article says "please"
		// scores, so no category is guessed; ask for the problem.
		d.Category, d.Article, d.Confidence = "", "", 0
		d.Action, d.Reason = ActionAsk, "too_short"
		d.Missing = []string{"description"}
	case d.Article == "" && content <= 3, d.Category == kb.OutOfScope && content <= 2:
		// Too little said to tell the problem ("no funciona", "can I ask
		// something?"): ask for it rather than hand a blank to a person. A
		// match with the KB's off-topic examples that says a little more
		// ("a qué hora abre la cafetería") is closed below.
		d.Article = ""
		d.Action, d.Reason = ActionAsk, "too_short"
		d.Missing = []string{"description"}
	case d.Article != "" && d.Category == kb.OutOfScope:
		// Like the KB's examples of what the desk does not handle.
		d.Action, d.Reason = ActionClose, "out_of_scope"
	case d.Article == "" && len(d.Choices) > 0:
		// Plausible but not confident: offer the best articles.
		d.Action, d.Reason = ActionAsk, "choose"
	case d.Article == "":
		d.handOver(c, "low_confidence", n, have)
	case slices.Contains(handOverCategories, d.Category):
		d.handOver(c, "category", n, have)
	default:
		// Answer first: details are asked only before a hand-over.
		d.Action, d.Reason = ActionAnswer, "confident"
	}
	if d.Reason != "choose" {
		d.Choices = nil
	}
	if d.Missing == nil {
		d.Missing = []string{}
	}
	return d
}

// handOver decides a hand-over to a person for reason: first the details of
// the category the message does not carry (ask), else at once (escalate).
func (d *Decision) handOver(c *Classifier, reason string, n normalized, have map[string]string) {
	d.Missing = missingDetails(c.opts.DetailsFor(d.Category), n, have)
	d.Action, d.Reason = ActionEscalate, reason
	if len(d.Missing) > 0 {
		d.Action = ActionAsk
	}
}

// choiceShare is the share of the threshold from which a match is plausible
// enough to offer, with the runner-up, as a choice.
const choiceShare = 0.6

// choices returns the best two in-scope articles of hits, at most two.
func (c *Classifier) choices(hits []model.Hit) []string {
	var out []string
	for i, h := range hits {
		a := c.m.Articles()[h.Article]
		if a.Category == kb.OutOfScope {
			if i == 0 {
				return nil // most like what the desk does not handle
			}
			continue
		}
		out = append(out, a.ID)
		if len(out) == 2 {
			break
		}
	}
	return out
}

// describesProblem reports whether a request for a person also says what
// the problem is: the rest of the message, without the request, has words
// beyond greetings and "please", and is classified with confidence.
func (c *Classifier) describesProblem(n normalized, lang string) bool {
	rest := n.without(humanPhrases).without(humanWords)
	if rest.wordsBesides(courtesyWords) == 0 {
		return false
	}
	r := c.m.Predict(rest.s, lang)
	return r.Confidence >= c.opts.Threshold && c.m.Articles()[r.Hits[0].Article].Category != kb.OutOfScope
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// langSlack is how much more likely (log units) another language must be
// than a configured one to win; tuned on the dev sets.
const langSlack = 6
