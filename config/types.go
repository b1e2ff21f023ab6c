package config

import (
	"regexp"
	"time"

	intake "github.com/intake-support/intake"
	"github.com/intake-support/intake/internal/redact"
)

// Config is the whole configuration file, decoded, defaulted and validated.
// Paths in it are absolute. The yaml tags name the keys; REFERENCE.md
// documents each of them.
type Config struct {
	// File is the path the configuration was loaded from, as given.
	File string `yaml:"-"`
	// Dir is the absolute folder of File, against which relative paths resolve.
	Dir string `yaml:"-"`

	Store          Store          `yaml:"store"`
	HTTP           HTTP           `yaml:"http"`
	Log            Log            `yaml:"log"`
	BusinessHours  BusinessHours  `yaml:"business_hours"`
	Channels       Channels       `yaml:"channels"`
	Triage         Triage         `yaml:"triage"`
	Tiers          []Tier         `yaml:"tiers"`
	Routing        []Rule         `yaml:"routing"`
	VIP            VIP            `yaml:"vip"`
	MajorIncidents MajorIncidents `yaml:"major_incidents"`
	Queues         Queues         `yaml:"queues"`
	// OnCall is alerted when an urgent incident arrives whose tier has no
	// on-call target of its own covering that moment.
	OnCall OnCall `yaml:"on_call"`
	// Instance names this process among those sharing a Redis store, the
	// same across its restarts, so that a restarted process takes back at
	// once the work it had in flight and its leases.
	Instance string `yaml:"instance"`
	Web      Web    `yaml:"web"`
}

// Queues tunes the durable inbox and outbox.
type Queues struct {
	// RedeliverAfter is how long a message taken by a process that died
	// waits before another process takes it.
	RedeliverAfter time.Duration `yaml:"redeliver_after"`
	// MaxAttempts parks an inbound message that failed this many times in
	// the inbox.dead queue for a person, instead of retrying it forever.
	MaxAttempts int `yaml:"max_attempts"`
	// ReplyMaxAttempts parks a reply whose delivery failed this many times
	// in the outbox.dead queue and marks its incident for a person.
	ReplyMaxAttempts int `yaml:"reply_max_attempts"`
	// Concurrency is how many inbound messages of different incidents one
	// process handles at once; one incident's messages stay in order.
	Concurrency int `yaml:"concurrency"`
	// OutboxConcurrency is how many replies of different incidents one
	// process delivers at once; one incident's replies stay in order.
	OutboxConcurrency int `yaml:"outbox_concurrency"`
}

// StoreKind names a store implementation.
type StoreKind string

// The store implementations.
const (
	StoreBolt  StoreKind = "bolt"
	StoreRedis StoreKind = "redis"
)

// Store says where the state lives: "bolt:PATH" (an embedded single file) or
// "redis://HOST:PORT/DB" (rediss:// for TLS).
type Store struct {
	Kind StoreKind
	// Path is the absolute path of the bolt file; empty for Redis.
	Path string
	// URL is the Redis URL as written; empty for bolt.
	URL string
}

// String returns the store in its configuration form, with any password
// masked so that the store can be logged; open it with URL.
func (s Store) String() string {
	if s.Kind == StoreBolt {
		return "bolt:" + s.Path
	}
	return redact.URL(s.URL)
}

// HTTP configures the HTTP server (health, metrics, API, Slack HTTP mode).
type HTTP struct {
	// Listen is the host:port to listen on.
	Listen string `yaml:"listen"`
	// APIToken is the bearer token of /api/v1; empty refuses every API request.
	APIToken string `yaml:"api_token"`
	// Pprof serves Go's profiles (net/http/pprof) at /debug/pprof/ on
	// Listen, for finding where the time goes; off unless set.
	Pprof bool `yaml:"pprof"`
}

// Log configures the process's structured logs.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text or json.
	Format string `yaml:"format"`
}

// BusinessHours is when SLA clocks run. Without a business_hours section it
// is always open.
type BusinessHours struct {
	Timezone string         `yaml:"timezone"`
	Days     []time.Weekday `yaml:"days"`
	From     Clock          `yaml:"from"`
	To       Clock          `yaml:"to"`
	Holidays []Date         `yaml:"holidays"`
	// Location is Timezone, loaded.
	Location *time.Location `yaml:"-"`
}

// VIP lists customers whose incidents routing rules can single out with
// `when: {vip: true}`.
type VIP struct {
	// Emails are sender addresses, compared without case.
	Emails []string `yaml:"emails"`
	// Domains are sender email domains, compared without case.
	Domains []string `yaml:"domains"`
	// SlackUsers and DiscordUsers are user IDs on those platforms.
	SlackUsers   []string `yaml:"slack_users"`
	DiscordUsers []string `yaml:"discord_users"`
}

// MajorIncidents groups many similar reports in a short window under one
// parent incident. Without the section it is off.
type MajorIncidents struct {
	// Window is how far back similar reports count.
	Window time.Duration `yaml:"window"`
	// Threshold is how many similar reports within Window make a major incident.
	Threshold int `yaml:"threshold"`
	// Similarity is how alike two reports must be, from 0 to 1.
	Similarity float64 `yaml:"similarity"`
}

// Enabled reports whether major incident grouping is on.
func (m MajorIncidents) Enabled() bool { return m.Threshold > 0 }

// Triage configures the Level I bot.
type Triage struct {
	// Languages the bot answers in (ISO 639-1); others go to the routing rules.
	Languages []string `yaml:"languages"`
	// KnowledgeBase is the absolute path of the KB folder; empty: no KB.
	KnowledgeBase string `yaml:"knowledge_base"`
	// DraftsDir is where tier III resolutions are written as draft articles.
	DraftsDir string `yaml:"drafts_dir"`
	// Details lists, per category, the details the bot asks for before it
	// hands an incident to a person (never before answering); the key
	// "default" applies to categories without an entry.
	Details map[string][]string `yaml:"details"`
	// ConfirmWithin is how long "did that solve it?" waits before a soft resolve.
	ConfirmWithin time.Duration `yaml:"confirm_within"`
	// Threshold is the confidence (0..1) below which the bot does not answer.
	Threshold float64 `yaml:"threshold"`
	// MaxAttempts is how many KB answers the bot tries before escalating.
	MaxAttempts int `yaml:"max_attempts"`
	// AnswerWithin is how long a question of the bot waits: requested
	// details not given by then are handed over with what the bot has.
	AnswerWithin time.Duration `yaml:"answer_within"`
}

// DetailsFor returns the details the bot collects for a category.
func (t Triage) DetailsFor(category string) []string {
	if d, ok := t.Details[category]; ok {
		return d
	}
	return t.Details["default"]
}

// The SLA clock kinds of a tier.
const (
	ClockBusiness = "business"
	ClockAlways   = "always"
)

// Tier is one human tier: a Slack channel of agents with SLA clocks.
type Tier struct {
	ID intake.TierID `yaml:"id"`
	// Name is shown to customers in their language and on cards in the
	// desk's (see Config.DeskLanguage).
	Name         Text   `yaml:"name"`
	SlackChannel string `yaml:"slack_channel"`
	// ClaimWithin is how long an incident may wait unclaimed.
	ClaimWithin time.Duration `yaml:"claim_within"`
	// ResolveWithin is how long a claimed incident may stay unresolved.
	ResolveWithin time.Duration `yaml:"resolve_within"`
	// Next is where escalation goes from here; empty for the last tier.
	Next intake.TierID `yaml:"next"`
	// Clock is "business" (SLAs count business hours only) or "always".
	Clock string `yaml:"clock"`
	// Steps are what happens while an incident stays unclaimed, in order.
	Steps []Step `yaml:"steps"`
	// OnCall is alerted at once when an urgent incident arrives in this tier.
	OnCall OnCall `yaml:"on_call"`
}

// The actions of an escalation step.
const (
	ActionRemind   = "remind"
	ActionEscalate = "escalate"
	ActionNotify   = "notify"
)

// Step is one action taken when an incident has stayed unclaimed in a tier
// for After (counted on the tier's clock from its arrival in the tier).
type Step struct {
	After time.Duration `yaml:"after"`
	// Action is remind (announce again in the tier channel), escalate (move
	// to Tier) or notify (post to Channel).
	Action string `yaml:"action"`
	// Channel is the Slack channel notify posts to; defaults to
	// channels.slack.manager_channel.
	Channel string `yaml:"channel"`
	// Tier is where escalate moves the incident; defaults to the tier's Next.
	Tier intake.TierID `yaml:"tier"`
}

// Rule is one routing rule: the first rule whose When matches picks the tier.
type Rule struct {
	Name string        `yaml:"name"`
	When Match         `yaml:"when"`
	Tier intake.TierID `yaml:"tier"`
}

// Match is the condition of a rule. Every condition that is set must hold;
// a list matches when any of its values does. An empty Match matches all.
type Match struct {
	Category    []string         `yaml:"category"`
	Language    []string         `yaml:"language"`
	LanguageNot []string         `yaml:"language_not"`
	Channel     []intake.Channel `yaml:"channel"`
	// FromDomain matches the sender's email domain (subdomains included).
	FromDomain []string `yaml:"from_domain"`
	// Keywords match words or phrases of the text, ignoring case and accents.
	Keywords []string `yaml:"keywords"`
	// Regex is matched against the subject and text.
	Regex         string   `yaml:"regex"`
	MinConfidence *float64 `yaml:"min_confidence"`
	MaxConfidence *float64 `yaml:"max_confidence"`
	VIP           *bool    `yaml:"vip"`
	BusinessHours *bool    `yaml:"business_hours"`
	// Urgent matches incidents Level I found urgent (urgency or outage
	// words) or of category outage.
	Urgent *bool `yaml:"urgent"`
	// Regexp is Regex, compiled; nil when Regex is empty.
	Regexp *regexp.Regexp `yaml:"-"`
}

// CatchAll reports whether the match has no condition, so it matches everything.
func (m Match) CatchAll() bool {
	return len(m.Category) == 0 && len(m.Language) == 0 && len(m.LanguageNot) == 0 &&
		len(m.Channel) == 0 && len(m.FromDomain) == 0 && len(m.Keywords) == 0 &&
		m.Regex == "" && m.MinConfidence == nil && m.MaxConfidence == nil &&
		m.VIP == nil && m.BusinessHours == nil && m.Urgent == nil
}
