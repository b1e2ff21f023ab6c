// Package redis implements store.Store on Redis (github.com/redis/go-redis/v9),
// for deployments where several intake processes share one state. Everything
// that must be atomic runs as a Lua script on the server.
//
// Clocks: queue visibility, lease and dedupe expiry use the Redis server's
// clock (TIME inside scripts, PX on keys), so instances with skewed clocks
// still agree on when a message becomes visible again or a lease lapses.
// Timers are the exception: the contract hands DueTimers the caller's now, so
// that an injectable clock drives SLAs; instances should run NTP.
//
// Scripts call TIME before writing, which needs Redis 5 or later (effects
// replication). They build some key names from the prefix at run time, so in
// Redis Cluster every key must live in one slot: give the prefix a hash tag,
// such as "{intake}:".
package redis

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intake-support/intake/store"
)

var _ store.Store = (*Store)(nil)

// DefaultPrefix starts every key this package writes unless the URL names another.
const DefaultPrefix = "intake:"

// Connection defaults for when the URL does not set them: fail fast rather
// than spin through go-redis' default ~1.7s of retries when nothing listens.
// go-redis also retries each dial (5 times, 100ms apart, by default); two
// quick tries suffice on loopback and in a data centre.
const (
	defaultDialTimeout = 500 * time.Millisecond
	defaultMaxRetries  = 1
	dialerRetries      = 2
	dialerRetryTimeout = 50 * time.Millisecond
	// openTimeout bounds Open's ping when ctx has no earlier deadline, so a
	// blackholed address fails as clearly as a refused one.
	openTimeout = 2 * time.Second
)

// Store is a store.Store kept in Redis under one key prefix.
type Store struct {
	rdb    *goredis.Client
	addr   string
	prefix string
	// instance names this process among those sharing the keyspace; empty
	// when the caller gave none (see WithInstance).
	instance string
	// reclaimed: the first Dequeue of each queue
	// takes back what this instance had in flight before it restarted.
	reclaimed sync.Map // queue -> *reclaim
	trips     roundTrips
}

// Option configures Open.
type Option func(*Store)

// WithInstance names this process among the instances sharing the Redis,
// with a name that stays the same across its restarts (such as the host
// name). A delivery is recorded with the instance it went to, and the first
// Dequeue of each queue after Open makes the instance's own earlier
// deliveries ready again at once: the process that took them is gone, since
// this one has its name. Two running processes must never share a name.
// Without it nothing is taken back early; other instances get a dead one's
// work when its visibility timeout passes.
func WithInstance(name string) Option { return func(s *Store) { s.instance = name } }

// Open connects to the Redis named by rawURL,
// redis://[user:pass@]host:port/db[?prefix=intake:], and pings it. Other
// query options are go-redis' own (dial_timeout, max_retries, pool_size...).
// The error names the address, never the password.
func Open(ctx context.Context, rawURL string, options ...Option) (*Store, error) {
	opts, prefix, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	s := &Store{rdb: goredis.NewClient(opts), addr: opts.Addr, prefix: prefix}
	for _, o := range options {
		o(s)
	}
	s.rdb.AddHook(&s.trips)
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		_ = s.rdb.Close()
		return nil, err
	}
	return s, nil
}

// parseURL splits the prefix option off the URL and hands the rest to go-redis.
func parseURL(rawURL string) (*goredis.Options, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the whole URL, password included: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, "", fmt.Errorf("parse redis URL: %w", err)
	}
	q := u.Query()
	prefix := DefaultPrefix
	if q.Has("prefix") {
		prefix = q.Get("prefix")
		q.Del("prefix")
	}
	u.RawQuery = q.Encode()
	opts, err := goredis.ParseURL(u.String())
	if err != nil {
		return nil, "", fmt.Errorf("parse redis URL for %s: %w", u.Host, err)
	}
	if !q.Has("dial_timeout") {
		opts.DialTimeout = defaultDialTimeout
	}
	if !q.Has("max_retries") {
		opts.MaxRetries = defaultMaxRetries
	}
	opts.DialerRetries = dialerRetries
	opts.DialerRetryTimeout = dialerRetryTimeout
	return opts, prefix, nil
}

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis at %s: %w", s.addr, err)
	}
	return nil
}

// Close closes the connections to Redis.
func (s *Store) Close() error {
	if err := s.rdb.Close(); err != nil {
		return fmt.Errorf("close redis at %s: %w", s.addr, err)
	}
	return nil
}

// key builds a key under the store's prefix.
func (s *Store) key(parts ...string) string {
	k := s.prefix
	for i, p := range parts {
		if i > 0 {
			k += ":"
		}
		k += p
	}
	return k
}

// ms converts a duration to whole milliseconds, rounding up so that a short
// positive duration never becomes zero (which PX refuses).
func ms(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}
