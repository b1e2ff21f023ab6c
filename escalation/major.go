package escalation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/intake-support/intake"
)

// majors groups similar reports under a major incident: one parent whose
// card counts the reports, each report acknowledged at once and resolved with
// the parent.
type majors struct {
	*scope
	incidents Incidents
	cards     cards
	clocks    clocks
	customers customers
}

// reportActor marks the timeline notes that list a parent's reports.
const reportActor = "major"

// reportsOf lists the reports grouped under a parent incident: each note of
// reportActor names one or more (a refresh lists all it found, space-separated).
func reportsOf(inc *intake.Incident) []intake.IncidentID {
	var ids []intake.IncidentID
	seen := map[intake.IncidentID]bool{}
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventNote && e.Actor == reportActor {
			for _, f := range strings.Fields(e.Text) {
				if id := intake.IncidentID(f); !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

// reports is the number of customer reports a parent card counts (itself
// included), or 0 for an incident that is not a parent.
func reports(inc *intake.Incident) int {
	if n := len(reportsOf(inc)); n > 0 {
		return n + 1
	}
	return 0
}

func reportText(inc *intake.Incident) string {
	return inc.Subject + " " + inc.Details["description"]
}

// candidates is how many of the newest escalated, and of the newest claimed,
// incidents a report is compared with to find its parent: in a storm they are
// the storm's own reports, which name the parent, so the cost of grouping
// does not grow with the number of reports.
const candidates = 32

// firstCandidates is how many of them are read first: in a storm the newest
// escalated incident is a grouped report, which decides, so a report costs
// the decoding of a few incidents, not of every candidate.
const firstCandidates = 4

// refreshEvery is how often, at most, a parent's card is refreshed while
// reports join it: once per interval, however many arrive.
const refreshEvery = 5 * time.Second

// findParent returns the parent incident inc belongs under, or "" when too
// few similar reports are open in the window. The earlier similar reports
// that are not grouped yet are returned too, so they can be told to join.
// Only the newest incidents are compared (see candidates).
func (d majors) findParent(ctx context.Context, inc *intake.Incident, now time.Time) (intake.IncidentID, []intake.IncidentID, error) {
	m := d.cfg.MajorIncidents
	if !m.Enabled() || inc.Category == "" || inc.ParentID != "" {
		return "", nil, nil
	}
	// The report's stems are taken once; the first similar incident that
	// is grouped or is a parent decides, newest escalated first, so in a
	// storm a report reads a few incidents, is compared with one, and the
	// claimed ones are not even read.
	stems := contentStems(reportText(inc), inc.Language)
	judge := func(o *intake.Incident) (parent intake.IncidentID, similar bool) {
		if o.ID == inc.ID || o.Category != inc.Category || o.CreatedAt.Before(now.Add(-m.Window)) ||
			jaccard(stems, contentStems(reportText(o), o.Language)) < m.Similarity {
			return "", false
		}
		if o.ParentID != "" {
			return o.ParentID, true
		}
		if reports(o) > 0 {
			return o.ID, true
		}
		return "", true
	}
	var similar []*intake.Incident
	for _, s := range []intake.Status{intake.StatusEscalated, intake.StatusClaimed} {
		list, err := d.incidents.RecentByStatus(ctx, s, firstCandidates)
		if err == nil && len(list) == firstCandidates {
			for _, o := range list {
				if p, _ := judge(o); p != "" {
					return p, nil, nil
				}
			}
			list, err = d.incidents.RecentByStatus(ctx, s, candidates)
		}
		if err != nil {
			return "", nil, fmt.Errorf("major incidents: %w", err)
		}
		for _, o := range list {
			p, ok := judge(o)
			if p != "" {
				return p, nil, nil
			}
			if ok {
				similar = append(similar, o)
			}
		}
	}
	if len(similar)+1 < m.Threshold {
		return "", nil, nil
	}
	// The earliest report becomes the parent: every concurrent decision picks the same one.
	slices.SortFunc(similar, func(a, b *intake.Incident) int { return strings.Compare(string(a.ID), string(b.ID)) })
	var join []intake.IncidentID
	for _, o := range similar[1:] {
		join = append(join, o.ID)
	}
	return similar[0].ID, join, nil
}

// group puts inc under parent: no card of its own, the parent's card counts it.
// It returns the customer's acknowledgement.
func (d majors) group(ctx context.Context, inc *intake.Incident, parent intake.IncidentID, join []intake.IncidentID, now time.Time) (intake.Reply, error) {
	p, err := d.incidents.GetIncident(ctx, parent)
	if err != nil {
		return intake.Reply{}, fmt.Errorf("group %s under %s: %w", inc.ID, parent, err)
	}
	inc.ParentID, inc.Tier = parent, p.Tier
	if err := inc.Transition(intake.StatusEscalated, Actor, now, d.toAgents("note_grouped", parent)); err != nil {
		return intake.Reply{}, err
	}
	if len(join) == 0 {
		// One more report of a known major incident: the parent learns of it
		// with the others at its next refresh, not one message per report.
		d.refreshSoon(parent, now)
	} else {
		// The major incident forms: the parent hears of its first reports at once.
		for _, id := range append([]intake.IncidentID{inc.ID}, join...) {
			d.tell(intake.EventMajorReport, parent, id, string(id))
		}
		for _, id := range join {
			d.tell(intake.EventMajorJoin, id, parent, string(parent))
		}
	}
	return d.customers.grouped(inc, parent), nil
}

// handle handles the grouping messages on one incident.
func (d majors) handle(ctx context.Context, inc *intake.Incident, msg *intake.Message, now time.Time) ([]intake.Reply, error) {
	other := intake.IncidentID(msg.Target)
	switch intake.SystemEvent(msg.Action) {
	case intake.EventMajorReport:
		if slices.Contains(reportsOf(inc), other) || other == inc.ID {
			return nil, nil
		}
		inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: reportActor, Text: string(other)})
		if inc.CardReply == "" {
			return nil, nil
		}
		return []intake.Reply{d.cards.update(inc)}, nil
	case intake.EventMajorJoin:
		if inc.ParentID != "" || !inc.Open() || inc.ID == other {
			return nil, nil
		}
		d.clocks.cancel(inc, inc.Tier)
		inc.ParentID = other
		inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: Actor, Text: d.toAgents("note_grouped", other)})
		var out []intake.Reply
		if inc.CardReply != "" {
			u := d.cards.update(inc)
			u.Card.Actions, u.Card.ClaimDue = nil, time.Time{}
			u.Card.Fields = append(u.Card.Fields, intake.CardField{Label: d.toAgents("field_grouped"), Value: d.toAgents("grouped_under", other)})
			out = append(out, u)
		}
		return out, nil
	case intake.EventMajorRefresh:
		if inc.ParentID != "" {
			// The timer fired on the report that set it last: pass it on.
			d.tell(intake.EventMajorRefresh, inc.ParentID, inc.ID, "")
			return nil, nil
		}
		return d.refresh(ctx, inc, now)
	case intake.EventMajorResolved:
		if !inc.Open() {
			return nil, nil
		}
		d.clocks.cancel(inc, inc.Tier)
		inc.Resolution = msg.Text
		if err := inc.Transition(intake.StatusResolved, Actor, now, d.toAgents("note_major_resolved", other)); err != nil {
			return nil, err
		}
		return []intake.Reply{d.customers.resolved(inc, "")}, nil
	}
	return nil, nil
}

// refreshSoon asks for the parent's card to be refreshed at the end of the
// current interval. The timer's key is the parent's, so every report of the
// interval replaces it with the same deadline: it fires once, on the report
// that set it last, which passes it on to the parent.
func (d majors) refreshSoon(parent intake.IncidentID, now time.Time) {
	due := now.Truncate(refreshEvery).Add(refreshEvery)
	d.timer(intake.ScheduleTimer(intake.TimerKey("major-refresh", parent), due, intake.EventMajorRefresh))
}

// refresh lists on the parent inc the reports grouped under it since its last
// refresh and updates its card once. A parent already resolved resolves them.
func (d majors) refresh(ctx context.Context, inc *intake.Incident, now time.Time) ([]intake.Reply, error) {
	added, err := d.unlisted(ctx, inc)
	if err != nil || len(added) == 0 {
		return nil, err
	}
	ids := make([]string, len(added))
	for i, id := range added {
		ids[i] = string(id)
	}
	inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: reportActor, Text: strings.Join(ids, " ")})
	if !inc.Open() {
		for _, id := range added {
			d.tell(intake.EventMajorResolved, id, inc.ID, inc.Resolution)
		}
		return nil, nil
	}
	if inc.CardReply == "" {
		return nil, nil
	}
	return []intake.Reply{d.cards.update(inc)}, nil
}

// unlisted returns the open reports grouped under inc that its timeline does
// not list yet, in ID order. It reads every open incident: it runs once per
// refresh interval and once when the parent is resolved, never per report.
func (d majors) unlisted(ctx context.Context, inc *intake.Incident) ([]intake.IncidentID, error) {
	listed := map[intake.IncidentID]bool{inc.ID: true}
	for _, id := range reportsOf(inc) {
		listed[id] = true
	}
	var out []intake.IncidentID
	for _, s := range []intake.Status{intake.StatusEscalated, intake.StatusClaimed} {
		list, err := d.incidents.ListByStatus(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("reports of %s: %w", inc.ID, err)
		}
		for _, o := range list {
			if o.ParentID == inc.ID && !listed[o.ID] {
				out = append(out, o.ID)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// resolveChildren tells every report grouped under inc that it is resolved:
// those its timeline lists and those not refreshed into it yet.
func (d majors) resolveChildren(ctx context.Context, inc *intake.Incident) error {
	more, err := d.unlisted(ctx, inc)
	if err != nil {
		return err
	}
	for _, id := range append(reportsOf(inc), more...) {
		d.tell(intake.EventMajorResolved, id, inc.ID, inc.Resolution)
	}
	return nil
}
