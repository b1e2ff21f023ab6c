package discord

import "time"

// Option tunes an Adapter; the defaults suit production.
type Option func(*options)

type options struct {
	now           func() time.Time
	identifyBurst int
	identifyEvery time.Duration
	identifyGap   time.Duration
	backoffMin    time.Duration
	backoffMax    time.Duration
	stableAfter   time.Duration
	acceptTries   int
	cacheSize     int
}

func defaultOptions() options {
	return options{
		now: time.Now,
		// Discord allows 1000 IDENTIFYs a day and one per 5 s per shard:
		// a burst of 3, then one each 5 minutes, stays far below both.
		identifyBurst: 3,
		identifyEvery: 5 * time.Minute,
		identifyGap:   5 * time.Second,
		backoffMin:    time.Second,
		backoffMax:    2 * time.Minute,
		stableAfter:   time.Minute,
		acceptTries:   5,
		cacheSize:     4096,
	}
}

// WithIdentifyLimit lets the adapter IDENTIFY at most burst times at once,
// then once per every, and never twice within gap, however often the gateway
// drops it.
func WithIdentifyLimit(burst int, every, gap time.Duration) Option {
	return func(o *options) {
		if burst > 0 && every > 0 {
			o.identifyBurst, o.identifyEvery = burst, every
		}
		if gap >= 0 {
			o.identifyGap = gap
		}
	}
}

// WithBackoff sets the reconnect delays: from min, doubling up to max; a
// connection that stayed up for stable resets them.
func WithBackoff(min, max, stable time.Duration) Option {
	return func(o *options) {
		if min > 0 && max >= min {
			o.backoffMin, o.backoffMax = min, max
		}
		if stable > 0 {
			o.stableAfter = stable
		}
	}
}
