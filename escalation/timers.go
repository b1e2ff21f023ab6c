package escalation

import (
	"strconv"
	"time"

	"github.com/intake-support/intake"
)

func claimTimerID(id intake.IncidentID, step int) string {
	return "sla:" + string(id) + ":claim:" + strconv.Itoa(step)
}

func resolveTimerID(id intake.IncidentID) string { return "sla:" + string(id) + ":resolve" }

// clocks runs the SLA clocks of incidents in their tier, in business hours
// (or plain time for a tier with clock: always): the claim clock, one timer per
// escalation step, from arrival in the tier; the resolve clock from the claim.
type clocks struct{ *scope }

// schedule asks the spine to deliver event with clock to the desk at due,
// through the shared durable timers, once this handling is stored.
func (d clocks) schedule(id string, due time.Time, event intake.SystemEvent, clock intake.SLAClock) {
	r := intake.ScheduleTimer(id, due, event)
	r.SLA = &clock
	d.timer(r)
}

// startClaim starts the claim clock of inc in its tier: one timer per step.
func (d clocks) startClaim(inc *intake.Incident, epoch time.Time) {
	t := d.tier(inc.Tier)
	if t == nil {
		return
	}
	h := ClockFor(d.cfg, t)
	for i, s := range t.Steps {
		d.schedule(claimTimerID(inc.ID, i), h.AddBusiness(epoch, s.After), intake.EventSLAClaim, intake.SLAClock{Tier: t.ID, Step: i, Epoch: epoch})
	}
}

// startResolve starts the resolve clock of a claimed incident.
func (d clocks) startResolve(inc *intake.Incident, epoch time.Time) {
	t := d.tier(inc.Tier)
	if t == nil || t.ResolveWithin <= 0 {
		return
	}
	d.schedule(resolveTimerID(inc.ID), ClockFor(d.cfg, t).AddBusiness(epoch, t.ResolveWithin), intake.EventSLAResolve,
		intake.SLAClock{Tier: t.ID, Agent: inc.ClaimedBy, Epoch: epoch})
}

// cancel stops the SLA clocks of inc in tier. Cancelling is only an
// optimisation: a timer that fires anyway finds its epoch stale.
func (d clocks) cancel(inc *intake.Incident, tier intake.TierID) {
	d.timer(intake.CancelTimer(resolveTimerID(inc.ID)))
	if t := d.tier(tier); t != nil {
		for i := range t.Steps {
			d.timer(intake.CancelTimer(claimTimerID(inc.ID, i)))
		}
	}
}
