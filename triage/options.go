package triage

import (
	"time"

	"github.com/intake-support/intake/config"
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

// handOverCategories are answered with first checks and then handed to the
// humans: a person has to act on them whatever the KB says.
var handOverCategories = []string{"server", "infrastructure", "outage", "onsite", "development"}

// settings are what a classifier and its bot work with: the configuration's
// triage section (config/ holds its defaults) and the options.
type settings struct {
	config.Triage
	clock func() time.Time
	model model.Options
}

// Option configures a classifier or a bot beyond its configuration.
type Option func(*settings)

// WithClock sets the clock the bot's timeline and timers use (time.Now by default).
func WithClock(now func() time.Time) Option { return func(s *settings) { s.clock = now } }

// WithModel tunes training (for the development tool).
func WithModel(m model.Options) Option { return func(s *settings) { s.model = m } }

func newSettings(cfg config.Triage, opts []Option) settings {
	s := settings{Triage: cfg, clock: time.Now}
	for _, o := range opts {
		o(&s)
	}
	return s
}
