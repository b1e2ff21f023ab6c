package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// hub tells open pages which incidents changed. It watches the store rather
// than this process's own deliveries, so that a claim made through another
// instance (or through Slack) reaches every browser too.
type hub struct {
	st   store.Incidents
	poll time.Duration
	log  *slog.Logger
	kick chan struct{}
	// done is closed when run returns, ending the streams so that the HTTP
	// server's shutdown does not wait for them.
	done chan struct{}

	mu      sync.Mutex
	clients map[chan string]struct{}
}

func newHub(st store.Incidents, poll time.Duration, log *slog.Logger) *hub {
	return &hub{st: st, poll: poll, log: log, kick: make(chan struct{}, 1), done: make(chan struct{}), clients: map[chan string]struct{}{}}
}

// wake makes the hub look now instead of at the next poll.
func (h *hub) wake() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// run compares the open incidents' versions at every poll and broadcasts
// the IDs of those that changed.
func (h *hub) run(ctx context.Context) {
	defer close(h.done)
	t := time.NewTicker(h.poll)
	defer t.Stop()
	var last map[intake.IncidentID]int64
	for {
		if !h.watched() {
			last = nil // nobody is looking: no reads; start afresh when someone is
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-h.kick:
			}
			continue
		}
		cur, err := h.snapshot(ctx)
		if err != nil && ctx.Err() == nil {
			h.log.Warn("live view: list incidents", "err", err)
		}
		if err == nil {
			if last != nil {
				if changed := diff(last, cur); len(changed) > 0 {
					h.broadcast(strings.Join(changed, ","))
				}
			}
			last = cur
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-h.kick:
		}
	}
}

// snapshot returns the versions of the incidents the queues show, and of
// those that left them since (resolved ones stay for a moment in the list
// of the newest).
func (h *hub) snapshot(ctx context.Context) (map[intake.IncidentID]int64, error) {
	out := map[intake.IncidentID]int64{}
	for _, s := range []intake.Status{intake.StatusEscalated, intake.StatusClaimed} {
		incs, err := h.st.ListIncidents(ctx, store.Filter{Status: s})
		if err != nil {
			return nil, err
		}
		for _, inc := range incs {
			out[inc.ID] = inc.Version
		}
	}
	recent, err := h.st.ListIncidents(ctx, store.Filter{Limit: 50})
	if err != nil {
		return nil, err
	}
	for _, inc := range recent {
		out[inc.ID] = inc.Version
	}
	return out, nil
}

func diff(old, cur map[intake.IncidentID]int64) []string {
	var out []string
	for id, v := range cur {
		if old[id] != v {
			out = append(out, string(id))
		}
	}
	for id := range old {
		if _, ok := cur[id]; !ok {
			out = append(out, string(id))
		}
	}
	slices.Sort(out)
	return out
}

func (h *hub) watched() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients) > 0
}

func (h *hub) subscribe() chan string {
	c := make(chan string, 16)
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
	h.wake() // take the baseline now, so that no change slips past it
	return c
}

func (h *hub) unsubscribe(c chan string) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
}

func (h *hub) broadcast(ids string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		select {
		case c <- ids:
		default: // a slow page misses one event; the next one catches it up
		}
	}
}

// events streams server-sent events: "change" with the changed incident IDs.
func (a *Adapter) events(w http.ResponseWriter, r *http.Request, _ *User) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // the stream outlives the server's write timeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	c := a.live.subscribe()
	defer a.live.unsubscribe(c)
	fmt.Fprint(w, "retry: 2000\n: connected\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	keepAlive := time.NewTicker(25 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-a.live.done:
			return
		case ids := <-c:
			fmt.Fprintf(w, "event: change\ndata: %s\n\n", ids)
		case <-keepAlive.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
