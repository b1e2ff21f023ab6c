package email

import (
	"crypto/tls"
	"time"
)

// Option tunes an Adapter; the defaults suit production.
type Option func(*options)

type options struct {
	now        func() time.Time
	detectLang func(text string) string
	tls        *tls.Config
	backoffMin time.Duration
	backoffMax time.Duration
	leaseTTL   time.Duration
	idleMax    time.Duration
	holder     string
	maxTries   int
	journal    string
}

func defaultOptions() options {
	return options{
		now:        time.Now,
		backoffMin: time.Second,
		backoffMax: 2 * time.Minute,
		leaseTTL:   90 * time.Second,
		idleMax:    25 * time.Second,
		maxTries:   3,
	}
}

// WithClock sets the clock used for rate windows, the sender thread window,
// reply dates and reconnect backoff.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithLanguageDetector fills Message.Language from the stripped text.
func WithLanguageDetector(detect func(text string) string) Option {
	return func(o *options) { o.detectLang = detect }
}

// WithTLSConfig sets the client TLS configuration for IMAP and smtp_out
// (tests trust their own CA with it).
func WithTLSConfig(c *tls.Config) Option { return func(o *options) { o.tls = c } }

// WithBackoff sets the IMAP reconnect delays: from min, doubling up to max.
func WithBackoff(min, max time.Duration) Option {
	return func(o *options) {
		if min > 0 && max >= min {
			o.backoffMin, o.backoffMax = min, max
		}
	}
}

// WithLeaseHolder names this instance in the IMAP poller lease (default:
// host name, process ID and a random suffix).
func WithLeaseHolder(holder string) Option { return func(o *options) { o.holder = holder } }

// WithIdleMax bounds one IMAP IDLE; the mailbox is searched again after it,
// which also renews the poller lease.
func WithIdleMax(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.idleMax = d
		}
	}
}

// WithJournal makes the SMTP listener answer 250 once a mail is in a
// journal in dir (on local disk, group fsync'd) and store the journal into
// the inbox in batches. It suits an embedded store, whose single writer
// would otherwise be asked for several writes per mail; with a shared store
// each instance's mail should go to the store directly, so that another
// instance can handle it if this one's host is lost.
func WithJournal(dir string) Option { return func(o *options) { o.journal = dir } }
