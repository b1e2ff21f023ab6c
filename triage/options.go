package triage

import (
	"time"

	"github.com/intake-support/intake/triage/kb"
	"github.com/intake-support/intake/triage/model"
)

// KB is the knowledge base the bot answers from.
type KB = kb.KB

// Article is one knowledge base article.
type Article = kb.Article

// Example is one labelled line, as in `intake eval` files.
type Example = kb.Example

// LoadKB loads every YAML file in dir; problems come back as a *kb.LoadError
// whose lines read FILE:LINE:COL: message.
func LoadKB(dir string) (*KB, error) { return kb.Load(dir) }

// KBFromExamples builds a KB with one article per label (for `intake eval -train`).
func KBFromExamples(examples []Example) *KB { return kb.FromExamples(examples) }

// DefaultThreshold is the confidence below which the bot does not answer. On
// the dev splits it keeps precision >= 0.95 on CLINC150 while escalating
// most out-of-scope messages (TestEvaluateDevSets). The configuration's
// default (triage.threshold) is lower, 0.5: on a hand-written KB with a few
// questions per article confidences run lower (TestRouteEverydayMessages).
const DefaultThreshold = 0.75

// Options configure the classifier and the bot; zero fields take defaults.
type Options struct {
	// Languages the bot answers in (default es, en); others are escalated.
	Languages []string
	// Details maps a category to the detail names to collect before a
	// hand-over to a person (never before answering); "default" applies to
	// categories without an entry (default: description, since, impact;
	// onsite: address, availability).
	Details map[string][]string
	// ConfirmWithin is how long the bot waits for an answer to "did that
	// solve it?" before resolving softly (default 24h).
	ConfirmWithin time.Duration
	// AnswerWithin is how long the bot waits for an answer to a question
	// (details, a choice, a description) before going on without it
	// (default 8h).
	AnswerWithin time.Duration
	// MaxAttempts is how many KB answers the bot tries before handing over
	// (default 2).
	MaxAttempts int
	// Threshold is the minimum confidence to answer (default DefaultThreshold).
	Threshold float64
	// EscalateCategories are answered with first checks and then handed to
	// the humans (default server, infrastructure, outage, onsite, development).
	EscalateCategories []string
	// Clock returns the current time (default time.Now).
	Clock func() time.Time
	// Model tunes training.
	Model model.Options
}

func (o *Options) defaults() {
	if len(o.Languages) == 0 {
		o.Languages = []string{"es", "en"}
	}
	if o.Details == nil {
		o.Details = map[string][]string{"default": {"description", "since", "impact"}, "onsite": {"address", "availability"}}
	}
	if o.ConfirmWithin <= 0 {
		o.ConfirmWithin = 24 * time.Hour
	}
	if o.AnswerWithin <= 0 {
		o.AnswerWithin = 8 * time.Hour
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 2
	}
	if o.Threshold <= 0 {
		o.Threshold = DefaultThreshold
	}
	if o.EscalateCategories == nil {
		o.EscalateCategories = []string{"server", "infrastructure", "outage", "onsite", "development"}
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
}

// detailsFor returns the detail names to collect for category.
func (o *Options) detailsFor(category string) []string {
	if d, ok := o.Details[category]; ok {
		return d
	}
	return o.Details["default"]
}
