package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// testListPaging walks the list page by page with Filter.Before: the pages
// together are the whole list, in order, with nothing repeated, also where
// several incidents share a creation time.
func testListPaging(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	// Minutes 0, 1, 1, 1, 2, 3, 3: ties must page by ID.
	minutes := []int{0, 1, 1, 1, 2, 3, 3}
	for i, m := range minutes {
		id := intake.FormatIncidentID(uint64(i + 1))
		tier := intake.TierID([]string{"L1", "L2"}[i%2])
		inc := newIncident(id, intake.StatusEscalated, tier, base.Add(time.Duration(m)*time.Minute))
		if err := a.CreateIncident(ctx, inc, nil); err != nil {
			t.Fatalf("CreateIncident(%q) = %v, want nil", inc.ID, err)
		}
	}
	for _, tc := range []struct {
		name   string
		filter store.Filter
		size   int
	}{
		{"all by 1", store.Filter{}, 1},
		{"all by 2", store.Filter{}, 2},
		{"all by 3", store.Filter{}, 3},
		{"tier by 2", store.Filter{Tier: "L1"}, 2},
		{"status by 2", store.Filter{Status: intake.StatusEscalated}, 2},
		{"status and tier by 1", store.Filter{Status: intake.StatusEscalated, Tier: "L2"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole, err := b.ListIncidents(ctx, tc.filter)
			if err != nil {
				t.Fatalf("ListIncidents(%+v) = %v, want nil", tc.filter, err)
			}
			want := ids(whole)
			var got []intake.IncidentID
			q := tc.filter
			q.Limit = tc.size
			for range len(want) + 1 {
				page, err := b.ListIncidents(ctx, q)
				if err != nil {
					t.Fatalf("ListIncidents(%+v) = %v, want nil", q, err)
				}
				if len(page) == 0 {
					break
				}
				got = append(got, ids(page)...)
				last := store.PositionOf(page[len(page)-1])
				q.Before = &last
			}
			if !slices.Equal(got, want) {
				t.Errorf("pages of %d under %+v = %v, want %v", tc.size, tc.filter, got, want)
			}
		})
	}
	// A position that names no stored incident still pages by time.
	mid := store.Filter{Before: &store.Position{CreatedAt: base.Add(90 * time.Second)}}
	page, err := b.ListIncidents(ctx, mid)
	if err != nil {
		t.Fatalf("ListIncidents(%+v) = %v, want nil", mid, err)
	}
	if got, want := ids(page), []intake.IncidentID{"INC-000004", "INC-000003", "INC-000002", "INC-000001"}; !slices.Equal(got, want) {
		t.Errorf("ListIncidents(before minute 1.5) = %v, want %v", got, want)
	}
}

func ids(list []*intake.Incident) []intake.IncidentID {
	out := make([]intake.IncidentID, 0, len(list))
	for _, inc := range list {
		out = append(out, inc.ID)
	}
	return out
}
