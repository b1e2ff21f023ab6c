package channels

import "sync"

// Health is a chat adapter's connection state and the set-up problem the
// service reported, safe for concurrent use. An adapter embeds it to be a
// Connector and a Diagnoser.
type Health struct {
	mu        sync.Mutex
	connected bool
	problem   error
}

var (
	_ Connector = (*Health)(nil)
	_ Diagnoser = (*Health)(nil)
)

// Connected reports whether the connection is up.
func (h *Health) Connected() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.connected
}

// SetupProblem returns the set-up mistake the service reported, or nil.
func (h *Health) SetupProblem() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.problem
}

// SetConnected records whether the connection is up.
func (h *Health) SetConnected(up bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.connected = up
}

// SetProblem records a set-up mistake the service reported.
func (h *Health) SetProblem(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.problem = err
}
