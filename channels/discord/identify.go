package discord

import (
	"sync"
	"time"
)

// identifyGuard is a token bucket over gateway IDENTIFYs. Discord allows a
// bot 1000 a day; a reconnect loop that identifies each time would spend
// them in an hour and lock the bot out, so every IDENTIFY takes a token and
// waits for one when the bucket is empty.
//
// discordgo identifies on its own when the gateway answers a RESUME with op 9
// (invalid session); those cannot be held back, so they are charged after the
// fact (seen as a READY the adapter did not ask for) and the debt delays the
// next reconnect.
type identifyGuard struct {
	mu           sync.Mutex
	burst        float64
	every, gap   time.Duration
	tokens       float64
	refilled     time.Time
	lastIdentify time.Time
}

func newIdentifyGuard(burst int, every, gap time.Duration) *identifyGuard {
	return &identifyGuard{burst: float64(burst), every: every, gap: gap, tokens: float64(burst)}
}

func (g *identifyGuard) refill(now time.Time) {
	if g.refilled.IsZero() {
		g.refilled = now
		return
	}
	if el := now.Sub(g.refilled); el > 0 {
		g.tokens = min(g.burst, g.tokens+float64(el)/float64(g.every))
		g.refilled = now
	}
}

// reserve takes a token for an IDENTIFY at now and returns 0, or returns how
// long to wait before asking again.
func (g *identifyGuard) reserve(now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.refill(now)
	var wait time.Duration
	if g.tokens < 1 {
		wait = time.Duration((1 - g.tokens) * float64(g.every))
	}
	if !g.lastIdentify.IsZero() {
		if since := now.Sub(g.lastIdentify); since < g.gap {
			wait = max(wait, g.gap-since)
		}
	}
	if wait > 0 {
		return wait
	}
	g.tokens--
	g.lastIdentify = now
	return 0
}

// charge records an IDENTIFY made without a reservation; the bucket may go
// into debt, down to one burst.
func (g *identifyGuard) charge(now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.refill(now)
	g.tokens = max(-g.burst, g.tokens-1)
	g.lastIdentify = now
}

// debt returns how long a reconnect that may end in an IDENTIFY (a RESUME
// that Discord can refuse) should wait: until the bucket is out of debt.
func (g *identifyGuard) debt(now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.refill(now)
	if g.tokens >= 0 {
		return 0
	}
	return time.Duration(-g.tokens * float64(g.every))
}
