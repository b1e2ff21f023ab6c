package web

import (
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

func TestComputeFigures(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	cfg := &config.Config{Tiers: []config.Tier{{ID: "L2", ClaimWithin: 15 * time.Minute, ResolveWithin: time.Hour}}}
	status := func(min int, to intake.Status, tier intake.TierID) intake.Event {
		return intake.Event{Kind: intake.EventStatus, At: t0.Add(time.Duration(min) * time.Minute), To: to, Tier: tier}
	}
	incs := []*intake.Incident{
		{ID: "INC-000001", Status: intake.StatusResolved, CreatedAt: t0, Category: "account", Language: "es",
			Customer: intake.Customer{Channel: intake.ChannelEmail}, Satisfaction: 5,
			Timeline: []intake.Event{{Kind: intake.EventTriage, Text: "language=es category=account article=password-reset confidence=0.9 action=answer reason="},
				status(1, intake.StatusResolved, "")}},
		{ID: "INC-000002", Status: intake.StatusResolved, Tier: "L2", CreatedAt: t0, Category: "network", Language: "en",
			Customer: intake.Customer{Channel: intake.ChannelSlack}, Satisfaction: 3, Escalation: &intake.Escalation{Tried: []string{"password-reset"}},
			Timeline: []intake.Event{status(0, intake.StatusEscalated, "L2"), status(10, intake.StatusClaimed, ""),
				{Kind: intake.EventReply, At: t0.Add(12 * time.Minute), Reply: &intake.Reply{Author: "Ana"}},
				status(100, intake.StatusResolved, "")}},
		{ID: "INC-000003", Status: intake.StatusClaimed, Tier: "L2", CreatedAt: t0, Category: "network", Language: "es",
			Customer: intake.Customer{Channel: intake.ChannelEmail}, Escalation: &intake.Escalation{},
			Timeline: []intake.Event{status(0, intake.StatusEscalated, "L2"), status(20, intake.StatusClaimed, "")}},
		{ID: "INC-000004", Status: intake.StatusResolved, CreatedAt: t0.AddDate(0, -2, 0)}, // outside the period
	}
	articles := []Article{{ID: "password-reset", Title: "Reset your password", Category: "account"}}
	f := compute(cfg, incs, articles, t0.AddDate(0, 0, -1), t0.AddDate(0, 0, 1))
	l2 := f.Tiers[0]
	tests := []struct {
		name      string
		got, want any
	}{
		{"total", f.Total, 3},
		{"resolved", f.Resolved, 2},
		{"resolved by Level I", f.ResolvedByBot, 1},
		{"deflection", f.Deflection, 0.5},
		{"CSAT", f.CSAT, 4.0},
		{"first reply", f.FirstReply.Median, 12 * time.Minute},
		{"claims", l2.Claim.Count, 2},
		{"claim median", l2.Claim.Median, 20 * time.Minute},
		{"late claims", l2.ClaimLate, 1},
		{"resolve median", l2.Resolve.Median, 90 * time.Minute},
		{"late resolutions", l2.SolveLate, 1},
		{"breaches", f.Breaches, 2},
		{"largest category", f.ByCategory[0].Key + "=" + string(rune('0'+f.ByCategory[0].Count)), "network=2"},
		{"article answered", f.KB[0].Answered, 1},
		{"article failed", f.KB[0].Failed, 1},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("compute: %s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}
