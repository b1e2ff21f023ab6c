package mailparse

import (
	"slices"
	"testing"
)

// TestBounceReport: what the spine is told of a bounce. A report of delayed
// delivery only is none (nothing failed yet); a failure keeps its recipients,
// status and reason.
func TestBounceReport(t *testing.T) {
	if r := (*Bounce)(nil).Report(); r != nil {
		t.Errorf("nil bounce: report %+v, want none", r)
	}
	if r := (&Bounce{Delayed: []string{"a@x.test"}, Status: "4.4.1"}).Report(); r != nil {
		t.Errorf("delayed only: report %+v, want none", r)
	}
	b := &Bounce{Recipients: []string{"a@x.test"}, Delayed: []string{"b@x.test"}, Status: "5.1.1", Reason: "delivery status report", Complaint: true}
	r := b.Report()
	if r == nil || !slices.Equal(r.Recipients, b.Recipients) || r.Status != "5.1.1" || r.Reason != b.Reason || !r.Complaint {
		t.Errorf("failed delivery: report %+v, want the recipients, status, reason and complaint of %+v", r, b)
	}
}
