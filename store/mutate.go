package store

import (
	"context"
	"errors"
	"fmt"

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
