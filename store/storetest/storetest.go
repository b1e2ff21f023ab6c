// Package storetest is the conformance suite every store.Store implementation
// must pass: run it from the implementation's tests with Run, and measure it
// with Bench.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// Factory returns two handles on the same fresh, empty backend. An embedded
// store may return one instance twice; a shared backend returns two separate
// clients on one isolated keyspace, so that the suite can act as two
// processes. The factory closes what it opened with t.Cleanup.
type Factory func(t testing.TB) (a, b store.Store)

// test is one conformance test.
type test struct {
	name string
	fn   func(t *testing.T, f Factory)
}

// Run runs every conformance test against the stores f makes, each as a
// subtest with a fresh backend.
func Run(t *testing.T, f Factory) {
	var all []test
	all = append(all, test{"Ping", testPing})
	all = append(all, incidentTests...)
	all = append(all, dedupeTests...)
	all = append(all, windowTests...)
	all = append(all, queueTests...)
	all = append(all, batchTests...)
	all = append(all, dequeueManyTests...)
	all = append(all, browseTests...)
	all = append(all, timerTests...)
	all = append(all, leaseTests...)
	all = append(all, resultTests...)
	for _, tc := range all {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, f) })
	}
}

func testPing(t *testing.T, f Factory) {
	a, b := f(t)
	for i, s := range []store.Store{a, b} {
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("handle %d: Ping() = %v, want nil", i, err)
		}
	}
}

// base is a fixed instant so that results do not depend on the wall clock
// where the contract takes a time from the caller.
var base = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// newIncident is a fully populated incident, so that a store that drops a
// field fails the round trip.
func newIncident(id intake.IncidentID, status intake.Status, tier intake.TierID, created time.Time) *intake.Incident {
	return &intake.Incident{
		ID:     id,
		Status: status,
		Tier:   tier,
		Customer: intake.Customer{
			Channel: intake.ChannelEmail, ID: "ada@example.com", Name: "Ada", Verified: true,
		},
		Conversation: intake.Conversation{
			Channel: intake.ChannelEmail, Address: "support@example.com",
			Thread: "m1@example.com", Subject: "Printer on fire", References: []string{"m0@example.com"},
		},
		Subject:  "Printer on fire",
		Language: "en",
		Category: "hardware",
		Details:  map[string]string{"since": "Tuesday"},
		Triage:   []byte(`{"step":2}`),
		Timeline: []intake.Event{{
			Kind: intake.EventMessage, At: created, Actor: "ada@example.com",
			Channel: intake.ChannelEmail, MessageID: "m1@example.com", Text: "help",
		}},
		CreatedAt: created,
		UpdatedAt: created,
	}
}

// eventually calls cond every 20ms until it returns true or the deadline
// passes; it reports whether cond came true.
func eventually(ctx context.Context, within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// isErr describes err for failure messages in terms of the sentinel wanted.
func isErr(err, want error) bool {
	if want == nil {
		return err == nil
	}
	return errors.Is(err, want)
}

func keyN(prefix string, i int) string { return fmt.Sprintf("%s-%03d", prefix, i) }
