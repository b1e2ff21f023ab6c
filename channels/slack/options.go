package slack

import "time"

// Option tunes an Adapter; the defaults suit production.
type Option func(*options)

type options struct {
	now           func() time.Time
	agentsRefresh time.Duration
	seenSize      int
	// ackBudget bounds the work done before Slack is answered; Slack gives
	// up on an answer after 3 s.
	ackBudget time.Duration
}

func defaultOptions() options {
	return options{
		now:           time.Now,
		agentsRefresh: 5 * time.Minute,
		seenSize:      4096,
		ackBudget:     2500 * time.Millisecond,
	}
}

// WithClock sets the clock used for request timestamps, SLA rendering and
// the user-group cache.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithAgentsRefresh sets how long resolved user-group members are trusted
// before usergroups.users.list is asked again.
func WithAgentsRefresh(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.agentsRefresh = d
		}
	}
}
