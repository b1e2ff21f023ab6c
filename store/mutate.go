package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/intake-support/intake"
)

// maxMutateAttempts bounds the retries of Mutate under contention.
const maxMutateAttempts = 50

// Mutate reads the incident, applies change and writes it back, retrying on
// ErrConflict with a fresh copy. change may return an error to abort; that
// error is returned as is. It returns the incident as stored.
func Mutate(ctx context.Context, s Incidents, id intake.IncidentID, change func(*intake.Incident) error) (*intake.Incident, error) {
	return MutateWithKeys(ctx, s, id, nil, change)
}

// MutateWithKeys is Mutate that also maps keys to the incident in the same write.
func MutateWithKeys(ctx context.Context, s Incidents, id intake.IncidentID, keys []intake.ThreadKey, change func(*intake.Incident) error) (*intake.Incident, error) {
	for attempt := 0; attempt < maxMutateAttempts; attempt++ {
		inc, err := s.GetIncident(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := change(inc); err != nil {
			return inc, err
		}
		err = s.UpdateIncident(ctx, inc, keys)
		if err == nil {
			return inc, nil
		}
		if !errors.Is(err, ErrConflict) {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("update %s: gave up after %d conflicting writes: %w", id, maxMutateAttempts, ErrConflict)
}

// ClaimedError says who already holds an incident a claimer wanted.
type ClaimedError struct {
	ID intake.IncidentID
	By string
}

func (e *ClaimedError) Error() string { return fmt.Sprintf("%s is already claimed by %s", e.ID, e.By) }

// Claim gives the incident to agent if nobody holds it. Of many concurrent
// claimers exactly one wins; the others get a *ClaimedError naming the winner.
func Claim(ctx context.Context, s Incidents, id intake.IncidentID, agent string, at time.Time) (*intake.Incident, error) {
	return Mutate(ctx, s, id, func(inc *intake.Incident) error {
		if inc.ClaimedBy != "" && inc.ClaimedBy != agent {
			return &ClaimedError{ID: id, By: inc.ClaimedBy}
		}
		if inc.ClaimedBy == agent {
			return nil
		}
		if err := inc.Transition(intake.StatusClaimed, agent, at, ""); err != nil {
			return err
		}
		inc.ClaimedBy = agent
		return nil
	})
}
