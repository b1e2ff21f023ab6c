package channels

import (
	"context"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// Incidents lets a handler read other incidents (the desk groups similar
// reports under a major incident) without importing the store: it satisfies
// escalation.Incidents.
type Incidents struct{ Store store.Incidents }

// GetIncident returns the incident id.
func (i Incidents) GetIncident(ctx context.Context, id intake.IncidentID) (*intake.Incident, error) {
	return i.Store.GetIncident(ctx, id)
}

// ListByStatus returns the incidents in status s.
func (i Incidents) ListByStatus(ctx context.Context, s intake.Status) ([]*intake.Incident, error) {
	return i.Store.ListIncidents(ctx, store.Filter{Status: s})
}

// RecentByStatus returns the newest incidents in status s, at most limit.
func (i Incidents) RecentByStatus(ctx context.Context, s intake.Status, limit int) ([]*intake.Incident, error) {
	return i.Store.ListIncidents(ctx, store.Filter{Status: s, Limit: limit})
}
