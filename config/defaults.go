package config

import (
	"os"
	"strings"
	"time"
)

// The defaults of keys that are absent or empty; REFERENCE.md lists them.
const (
	DefaultStore         = "bolt:data/intake.db"
	DefaultHTTPListen    = "127.0.0.1:8080"
	DefaultNotePrefix    = "//"
	DefaultMaxSize       = 25 * MB
	DefaultMaxAttachment = 10 * MB
	DefaultClaimWithin   = 30 * time.Minute
	DefaultResolveWithin = 24 * time.Hour
	// DefaultThreshold is triage.threshold's default: on a hand-written KB
	// with a few questions per article confidences run low
	// (TestRouteEverydayMessages in triage/).
	DefaultThreshold = 0.5
	// TrainedThreshold is the threshold `intake eval -train` measures at. A
	// KB built from a training file has many questions per article and
	// confident matches; at 0.75 the dev splits keep precision >= 0.95 on
	// CLINC150 while escalating most out-of-scope messages
	// (TestEvaluateDevSets in triage/).
	TrainedThreshold = 0.75
)

// DefaultTriage is the triage section of a configuration that leaves it out,
// for the tools that build a bot without a configuration file (`intake eval
// -train`).
func DefaultTriage() Triage {
	var t Triage
	triageDefaults(&t, func(string) bool { return false })
	return t
}

// applyDefaults fills what the file left out. It runs before validation, so
// defaults are validated like everything else.
func applyDefaults(c *Config, d *decoder) {
	if !d.present("store") {
		_ = c.Store.parseScalar(DefaultStore)
	}
	c.HTTP.Listen = or(c.HTTP.Listen, DefaultHTTPListen)
	c.Log.Level = or(c.Log.Level, "info")
	c.Log.Format = or(c.Log.Format, "text")
	businessHoursDefaults(&c.BusinessHours, d)
	emailDefaults(&c.Channels.Email, d)
	c.Channels.Slack.NotePrefix = or(c.Channels.Slack.NotePrefix, DefaultNotePrefix)
	triageDefaults(&c.Triage, d.present)
	for i := range c.Tiers {
		tierDefaults(&c.Tiers[i], c.Channels.Slack.ManagerChannel)
	}
	onCallDefaults(&c.OnCall)
	c.Queues.RedeliverAfter = orDur(c.Queues.RedeliverAfter, 2*time.Minute)
	c.Instance = or(c.Instance, defaultInstance())
	if c.Queues.MaxAttempts == 0 && !d.present("queues.max_attempts") {
		c.Queues.MaxAttempts = 8
	}
	webDefaults(&c.Web, d)
	if c.Queues.ReplyMaxAttempts == 0 && !d.present("queues.reply_max_attempts") {
		c.Queues.ReplyMaxAttempts = 150 // about a day with the outbox's backoff
	}
	if c.Queues.Concurrency == 0 && !d.present("queues.concurrency") {
		c.Queues.Concurrency = 8 // keeps the store busy while a message waits for a write
	}
	if c.Queues.OutboxConcurrency == 0 && !d.present("queues.outbox_concurrency") {
		c.Queues.OutboxConcurrency = 8 // keeps peers and the store busy while a reply waits for either
	}
	if d.present("major_incidents") {
		m := &c.MajorIncidents
		m.Window = orDur(m.Window, 15*time.Minute)
		if m.Threshold == 0 && !d.present("major_incidents.threshold") {
			m.Threshold = 10
		}
		if m.Similarity == 0 && !d.present("major_incidents.similarity") {
			m.Similarity = 0.5
		}
	}
}

// businessHoursDefaults: without the section the clock always runs; with it,
// absent keys mean Monday to Friday, 09:00 to 18:00, UTC.
func businessHoursDefaults(b *BusinessHours, d *decoder) {
	if !d.present("business_hours") {
		*b = BusinessHours{Timezone: "UTC", From: 0, To: 24 * 60,
			Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}}
		return
	}
	b.Timezone = or(b.Timezone, "UTC")
	if !d.present("business_hours.days") {
		b.Days = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	if !d.present("business_hours.from") {
		b.From = 9 * 60
	}
	if !d.present("business_hours.to") {
		b.To = 18 * 60
	}
}

func emailDefaults(e *Email, d *decoder) {
	e.IMAP.TLS = or(e.IMAP.TLS, TLSImplicit)
	e.IMAP.Mailbox = or(e.IMAP.Mailbox, "INBOX")
	e.IMAP.PollInterval = orDur(e.IMAP.PollInterval, time.Minute)
	e.SMTPOut.TLS = or(e.SMTPOut.TLS, TLSStartTLS)
	oauth2Defaults(&e.IMAP.OAuth2, "channels.email.imap.oauth2", d)
	oauth2Defaults(&e.SMTPOut.OAuth2, "channels.email.smtp_out.oauth2", d)
	if len(e.SMTPListen.Domains) == 0 {
		if _, domain, ok := strings.Cut(e.Address, "@"); ok && domain != "" {
			e.SMTPListen.Domains = []string{domain}
		}
	}
	if e.MaxSize == 0 {
		e.MaxSize = DefaultMaxSize
	}
	if e.SMTPListen.MaxSize == 0 {
		e.SMTPListen.MaxSize = e.MaxSize
	}
	l := &e.SMTPListen
	if l.MaxConnections == 0 && !d.present("channels.email.smtp_listen.max_connections") {
		l.MaxConnections = 100
	}
	if l.MaxConnectionsPerIP == 0 && !d.present("channels.email.smtp_listen.max_connections_per_ip") {
		l.MaxConnectionsPerIP = 10
	}
	l.IdleTimeout = orDur(l.IdleTimeout, 5*time.Minute)
	l.SessionTimeout = orDur(l.SessionTimeout, 30*time.Minute)
	if l.ParseMemory == 0 {
		l.ParseMemory = 64 * MB
	}
	if e.MaxAttachment == 0 {
		e.MaxAttachment = DefaultMaxAttachment
	}
	e.ThreadWindow = orDur(e.ThreadWindow, time.Hour)
	if !d.present("channels.email.rate_limit.messages") {
		e.RateLimit.Messages = 10
	}
	e.RateLimit.Per = orDur(e.RateLimit.Per, time.Hour)
}

// triageDefaults fills the triage keys for which present (whether the file
// gives a key, by its path) is false.
func triageDefaults(t *Triage, present func(path string) bool) {
	if !present("triage.languages") {
		t.Languages = []string{"es", "en"}
	}
	if _, ok := t.Details["default"]; !ok {
		if t.Details == nil {
			t.Details = map[string][]string{}
		}
		t.Details["default"] = []string{"description"}
	}
	if t.DraftsDir == "" {
		t.DraftsDir = "drafts"
		if t.KnowledgeBase != "" {
			t.DraftsDir = strings.TrimRight(t.KnowledgeBase, "/") + "/drafts"
		}
	}
	t.ConfirmWithin = orDur(t.ConfirmWithin, 24*time.Hour)
	t.AnswerWithin = orDur(t.AnswerWithin, 8*time.Hour)
	if t.Threshold == 0 && !present("triage.threshold") {
		t.Threshold = DefaultThreshold
	}
	if !present("triage.max_attempts") {
		t.MaxAttempts = 2
	}
}

// tierDefaults: without steps, an unclaimed incident is announced again at
// claim_within and escalated to next (or, in the last tier, the managers
// are told) at twice claim_within.
func tierDefaults(t *Tier, managerChannel string) {
	if len(t.Name) == 0 {
		t.Name = Text{"": string(t.ID)}
	}
	onCallDefaults(&t.OnCall)
	t.Clock = or(t.Clock, ClockBusiness)
	t.ClaimWithin = orDur(t.ClaimWithin, DefaultClaimWithin)
	t.ResolveWithin = orDur(t.ResolveWithin, DefaultResolveWithin)
	if t.Steps == nil {
		t.Steps = []Step{{After: t.ClaimWithin, Action: ActionRemind}}
		switch {
		case t.Next != "":
			t.Steps = append(t.Steps, Step{After: 2 * t.ClaimWithin, Action: ActionEscalate})
		case managerChannel != "":
			t.Steps = append(t.Steps, Step{After: 2 * t.ClaimWithin, Action: ActionNotify})
		}
	}
	for i := range t.Steps {
		s := &t.Steps[i]
		switch s.Action {
		case ActionEscalate:
			if s.Tier == "" {
				s.Tier = t.Next
			}
		case ActionNotify:
			s.Channel = or(s.Channel, managerChannel)
		}
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orDur(v, def time.Duration) time.Duration {
	if v == 0 {
		return def
	}
	return v
}

// onCallDefaults: an on-call target without hours is on call always; hours
// written as a window are of kind window.
func onCallDefaults(o *OnCall) {
	if o.Hours.Kind == "" {
		o.Hours.Kind = OnCallAlways
		if len(o.Hours.Days) > 0 || o.Hours.From != 0 || o.Hours.To != 0 {
			o.Hours.Kind = OnCallWindow
		}
	}
}

// defaultInstance is the host name, which stays the same across restarts;
// "intake" when the system does not say.
func defaultInstance() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "intake"
}
