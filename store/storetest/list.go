package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// listCase is one ListIncidents query and the IDs it must return, newest
// (latest CreatedAt) first.
type listCase struct {
	name   string
	filter store.Filter
	want   []intake.IncidentID
}

func testList(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	seed := []struct {
		id     intake.IncidentID
		status intake.Status
		tier   intake.TierID
	}{
		{"INC-000001", intake.StatusNew, ""},
		{"INC-000002", intake.StatusEscalated, "L1"},
		{"INC-000003", intake.StatusEscalated, "L2"},
		{"INC-000004", intake.StatusEscalated, "L1"},
		{"INC-000005", intake.StatusResolved, "L1"},
	}
	for i, s := range seed {
		inc := newIncident(s.id, s.status, s.tier, base.Add(time.Duration(i)*time.Minute))
		if err := a.CreateIncident(ctx, inc, nil); err != nil {
			t.Fatalf("CreateIncident(%q) = %v, want nil", inc.ID, err)
		}
	}
	checkList(t, b, []listCase{
		{"all", store.Filter{}, []intake.IncidentID{"INC-000005", "INC-000004", "INC-000003", "INC-000002", "INC-000001"}},
		{"status", store.Filter{Status: intake.StatusEscalated}, []intake.IncidentID{"INC-000004", "INC-000003", "INC-000002"}},
		{"tier", store.Filter{Tier: "L1"}, []intake.IncidentID{"INC-000005", "INC-000004", "INC-000002"}},
		{"status and tier", store.Filter{Status: intake.StatusEscalated, Tier: "L1"}, []intake.IncidentID{"INC-000004", "INC-000002"}},
		{"limit", store.Filter{Limit: 2}, []intake.IncidentID{"INC-000005", "INC-000004"}},
		{"status and limit", store.Filter{Status: intake.StatusEscalated, Limit: 1}, []intake.IncidentID{"INC-000004"}},
		{"no match", store.Filter{Status: intake.StatusClosed}, nil},
		{"unknown tier", store.Filter{Tier: "L9"}, nil},
	})

	// Move incidents between statuses and tiers: the indexes must follow.
	changes := []struct {
		id     intake.IncidentID
		status intake.Status
		tier   intake.TierID
	}{
		{"INC-000004", intake.StatusEscalated, "L2"},
		{"INC-000002", intake.StatusClaimed, "L1"},
		{"INC-000001", intake.StatusEscalated, "L1"},
		{"INC-000005", intake.StatusClosed, ""},
	}
	for _, c := range changes {
		_, err := store.Mutate(ctx, a, c.id, func(inc *intake.Incident) error {
			inc.Status, inc.Tier = c.status, c.tier
			return nil
		})
		if err != nil {
			t.Fatalf("Mutate(%q) = %v, want nil", c.id, err)
		}
	}
	checkList(t, b, []listCase{
		{"after/all", store.Filter{}, []intake.IncidentID{"INC-000005", "INC-000004", "INC-000003", "INC-000002", "INC-000001"}},
		{"after/escalated", store.Filter{Status: intake.StatusEscalated}, []intake.IncidentID{"INC-000004", "INC-000003", "INC-000001"}},
		{"after/escalated L1", store.Filter{Status: intake.StatusEscalated, Tier: "L1"}, []intake.IncidentID{"INC-000001"}},
		{"after/L2", store.Filter{Tier: "L2"}, []intake.IncidentID{"INC-000004", "INC-000003"}},
		{"after/L1", store.Filter{Tier: "L1"}, []intake.IncidentID{"INC-000002", "INC-000001"}},
		{"after/claimed", store.Filter{Status: intake.StatusClaimed}, []intake.IncidentID{"INC-000002"}},
		{"after/resolved", store.Filter{Status: intake.StatusResolved}, nil},
		{"after/new", store.Filter{Status: intake.StatusNew}, nil},
		{"after/closed", store.Filter{Status: intake.StatusClosed}, []intake.IncidentID{"INC-000005"}},
	})
}

func checkList(t *testing.T, s store.Store, cases []listCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			list, err := s.ListIncidents(t.Context(), tc.filter)
			if err != nil {
				t.Fatalf("ListIncidents(%+v) = %v, want nil", tc.filter, err)
			}
			got := make([]intake.IncidentID, 0, len(list))
			for _, inc := range list {
				if inc == nil {
					t.Fatalf("ListIncidents(%+v) returned a nil incident", tc.filter)
				}
				if (tc.filter.Status != "" && inc.Status != tc.filter.Status) || (tc.filter.Tier != "" && inc.Tier != tc.filter.Tier) {
					t.Errorf("ListIncidents(%+v) returned %s with status %s tier %q", tc.filter, inc.ID, inc.Status, inc.Tier)
				}
				got = append(got, inc.ID)
			}
			if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("ListIncidents(%+v) = %v, want %v", tc.filter, got, tc.want)
			}
		})
	}
}
