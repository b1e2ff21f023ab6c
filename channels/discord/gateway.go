package discord

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// ErrRejected is returned by Run when Discord refuses the bot for good: a bad
// token, or intents the bot may not use. Reconnecting cannot help.
var ErrRejected = errors.New("discord: gateway rejected the bot")

// connect keeps a gateway connection open until ctx is done. discordgo's own
// reconnect loop is off: it retries without limit and IDENTIFYs whenever a
// RESUME fails, so here each (re)connect waits for its backoff and for the
// IDENTIFY guard. discordgo still decides between IDENTIFY and RESUME (it
// resumes whenever it has a session) and replays nothing itself: the gateway
// replays missed dispatches after RESUME.
func (a *Adapter) connect(ctx context.Context, r *receiver) error {
	bo := backoff{min: a.opts.backoffMin, max: a.opts.backoffMax}
	for {
		if err := a.awaitIdentifyBudget(ctx, r); err != nil {
			return nil
		}
		r.drainDisconnects()
		opened := a.opts.now()
		err := a.open(ctx)
		if err != nil && ctx.Err() != nil {
			return nil
		}
		switch {
		case err == nil:
			a.SetConnected(true)
			a.log.Info("discord gateway connected", "resume", r.hadSession())
		case errors.Is(err, discordgo.ErrWSAlreadyOpen):
		case rejected(err):
			a.reject(err)
			return fmt.Errorf("%w: %w", ErrRejected, err)
		default:
			d := bo.next()
			a.log.Warn("discord gateway connect failed", "err", err, "retry_in", d)
			if !sleep(ctx, d) {
				return nil
			}
			continue
		}
		select {
		case <-ctx.Done():
			// Close sends a close frame and waits a second for the peer.
			if err := a.session.Close(); err != nil {
				a.log.Debug("discord gateway close", "err", err)
			}
			return nil
		case <-r.disconnected:
		}
		a.SetConnected(false)
		if a.opts.now().Sub(opened) >= a.opts.stableAfter {
			bo.reset()
		}
		d := bo.next()
		a.log.Warn("discord gateway connection lost", "reconnect_in", d)
		if !sleep(ctx, d) {
			return nil
		}
	}
}

// open runs session.Open, which takes no context and reads HELLO without a
// deadline. When ctx ends first it returns ctx's error, and the connection,
// should it still open, is closed in the background.
func (a *Adapter) open(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- a.session.Open() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		go func() {
			if <-done == nil {
				_ = a.session.Close()
			}
		}()
		return ctx.Err()
	}
}

// awaitIdentifyBudget waits until the next Open may IDENTIFY: a fresh
// connection takes a token; a RESUME waits only while the bucket is in debt,
// since Discord may answer it with op 9 and discordgo then identifies.
func (a *Adapter) awaitIdentifyBudget(ctx context.Context, r *receiver) error {
	for {
		var wait time.Duration
		identify := !r.hadSession()
		if identify {
			wait = a.guard.reserve(a.opts.now())
		} else {
			wait = a.guard.debt(a.opts.now())
		}
		if wait <= 0 {
			r.setPrepaid(identify)
			return nil
		}
		a.log.Warn("discord IDENTIFY budget spent, waiting", "wait", wait)
		if !sleep(ctx, wait) {
			return ctx.Err()
		}
	}
}

// rejected reports whether err is a gateway close or REST answer that
// retrying cannot fix.
func rejected(err error) bool {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004, // authentication failed
			4010, // invalid shard
			4011, // sharding required
			4012, // invalid API version
			4013, // invalid intents
			4014: // disallowed intents
			return true
		}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode == http.StatusUnauthorized || re.Response.StatusCode == http.StatusForbidden
	}
	return errors.Is(err, discordgo.ErrWSShardBounds)
}

// backoff doubles a delay from min to max, with jitter.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	// Up to a quarter more, so that instances restarted together spread out.
	return b.cur + rand.N(b.cur/4+1)
}

func (b *backoff) reset() { b.cur = 0 }

// sleep waits for d and reports true, or reports false once ctx is done.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
