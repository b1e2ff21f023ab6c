package escalation

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/intake-support/intake"
)

// Card actions, as the Slack adapter sends them back in Message.Action.
const (
	ActionClaim    = "claim"
	ActionRelease  = "release"
	ActionEscalate = "escalate"
	ActionResolve  = "resolve"
	// ActionNote and ActionReply come from the web desk, which has no thread
	// to type in: an internal note, and a reply to the customer.
	ActionNote  = "note"
	ActionReply = "reply"
)

// cards renders incidents as agents see them in their tier's channel (or the
// web desk), and the posts in a card's thread. Cards, mentions and notices are
// data: each adapter renders them.
type cards struct{ *scope }

// card renders inc as agents see it in its tier channel.
func (d cards) card(inc *intake.Incident) *intake.Card {
	c := &intake.Card{
		IncidentID: inc.ID, Title: d.title(inc), Status: inc.Status, Tier: inc.Tier, TierName: d.tierName(inc.Tier),
		Customer: inc.Customer, Origin: inc.Conversation.Channel, Language: inc.Language, Category: inc.Category,
		ClaimedBy: inc.ClaimedBy, Labels: d.labels(inc.Status),
	}
	if c.Origin == "" {
		c.Origin = inc.Customer.Channel
	}
	if inc.Language != "" && !slices.Contains(d.cfg.Triage.Languages, inc.Language) {
		c.Fields = append(c.Fields, intake.CardField{Label: d.toAgents("field_language"), Value: inc.Language})
	}
	if e := inc.Escalation; e != nil && e.Reason != "" {
		c.Fields = append(c.Fields, intake.CardField{Label: d.toAgents("field_reason"), Value: e.Reason})
	}
	for _, k := range d.detailOrder(inc) {
		c.Fields = append(c.Fields, intake.CardField{Label: k, Value: inc.Details[k]})
	}
	if e := inc.Escalation; e != nil && len(e.Tried) > 0 {
		c.Fields = append(c.Fields, intake.CardField{Label: d.toAgents("field_tried"), Value: strings.Join(e.Tried, ", ")})
	}
	if inc.Resolution != "" {
		c.Fields = append(c.Fields, intake.CardField{Label: d.toAgents("field_resolution"), Value: inc.Resolution})
	}
	if inc.Satisfaction > 0 {
		c.Fields = append(c.Fields, intake.CardField{Label: d.toAgents("field_satisfaction"), Value: fmt.Sprintf("%d/5", inc.Satisfaction)})
	}
	if n := reports(inc); n > 0 {
		c.Reports = n
	}
	t := d.tier(inc.Tier)
	switch inc.Status {
	case intake.StatusEscalated:
		c.Actions = []intake.Button{{Action: ActionClaim, Label: d.toAgents("button_claim")}, {Action: ActionEscalate, Label: d.toAgents("button_escalate")}, {Action: ActionResolve, Label: d.toAgents("button_resolve")}}
		if t != nil {
			c.ClaimDue = ClockFor(d.cfg, t).AddBusiness(lastStatusAt(inc, intake.StatusEscalated), t.ClaimWithin)
		}
	case intake.StatusClaimed:
		c.Actions = []intake.Button{{Action: ActionRelease, Label: d.toAgents("button_release")}, {Action: ActionEscalate, Label: d.toAgents("button_escalate")}, {Action: ActionResolve, Label: d.toAgents("button_resolve")}}
		if t != nil {
			c.ResolveDue = ClockFor(d.cfg, t).AddBusiness(lastStatusAt(inc, intake.StatusClaimed), t.ResolveWithin)
		}
	}
	if inc.Open() {
		for _, x := range d.cfg.Tiers {
			if x.ID != inc.Tier {
				c.EscalateTo = append(c.EscalateTo, x.ID)
			}
		}
	}
	return c
}

// labels are the card's standard labels in the desk's language.
func (d cards) labels(status intake.Status) *intake.CardLabels {
	return &intake.CardLabels{
		Customer: d.toAgents("label_customer"), Channel: d.toAgents("label_channel"), Status: d.toAgents("label_status"),
		Tier: d.toAgents("label_tier"), Language: d.toAgents("label_language"), Category: d.toAgents("label_category"),
		ClaimedBy: d.toAgents("label_claimed_by"), Unclaimed: d.toAgents("label_unclaimed"),
		ClaimDue: d.toAgents("label_claim_due"), ResolveDue: d.toAgents("label_resolve_due"),
		Reports: d.toAgents("label_reports"), Overdue: d.toAgents("label_overdue"), EscalateTo: d.toAgents("label_escalate_to"),
		StatusName: d.toAgents("status_" + string(status)),
	}
}

// detailOrder lists the incident's details: those the category asks for
// first (an on-site tier sees address and availability on top), then the rest.
func (d cards) detailOrder(inc *intake.Incident) []string {
	var out []string
	for _, k := range d.cfg.Triage.DetailsFor(inc.Category) {
		if inc.Details[k] != "" {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(inc.Details)) {
		if !slices.Contains(out, k) && inc.Details[k] != "" {
			out = append(out, k)
		}
	}
	return out
}

// title is the incident's subject, else its description, shortened.
func (s *scope) title(inc *intake.Incident) string {
	t := inc.Subject
	if t == "" {
		t = inc.Details["description"]
	}
	if t == "" {
		t = s.toAgents("no_subject")
	}
	if r := []rune(t); len(r) > 120 {
		t = string(r[:119]) + "…"
	}
	return t
}

// fallback is the plain text of a card, for notifications and clients that
// cannot show cards.
func (d cards) fallback(c *intake.Card) string {
	s := fmt.Sprintf("%s [%s] %s: %s", c.IncidentID, c.TierName, d.statusName(c.Status), c.Title)
	if c.ClaimedBy != "" {
		s += d.toAgents("fallback_claimed_by", intake.PlainText([]intake.Span{mention(c.ClaimedBy)}))
	}
	if c.Reports > 0 {
		s += d.toAgents("fallback_reports", c.Reports)
	}
	return s
}

// post is the incident's new card (inc.CardReply) in its tier's channel.
func (d cards) post(inc *intake.Incident) intake.Reply {
	c := d.card(inc)
	return intake.Reply{ID: inc.CardReply, Conversation: d.tierConv(inc.Tier), Card: c, Text: d.fallback(c), Language: inc.Language, Auto: true}
}

// moved is the update of the card oldCard that inc had in tier from: no
// longer actionable, it says where the incident went and who moved it.
func (d cards) moved(inc *intake.Incident, oldCard string, from intake.TierID, actor string) intake.Reply {
	old := d.card(inc)
	old.Tier, old.TierName, old.Actions, old.EscalateTo, old.ClaimDue, old.ResolveDue = from, d.tierName(from), nil, nil, time.Time{}, time.Time{}
	moved := []intake.Span{text(d.toAgents("moved_to", d.tierName(inc.Tier))), mention(actor)}
	old.Fields = append(old.Fields, intake.CardField{Label: d.toAgents("field_moved"), Value: intake.PlainText(moved), Rich: moved})
	return intake.Reply{Conversation: d.tierConv(from), UpdateOf: oldCard, Card: old, Text: d.fallback(old), Auto: true}
}

// update replaces the incident's card in place.
func (d cards) update(inc *intake.Incident) intake.Reply {
	c := d.card(inc)
	return intake.Reply{Conversation: d.tierConv(inc.Tier), UpdateOf: inc.CardReply, Card: c, Text: d.fallback(c), Auto: true}
}

// inThread posts text in the card's thread; to, when set, makes it ephemeral.
func (d cards) inThread(inc *intake.Incident, text, to string) intake.Reply {
	return intake.Reply{Conversation: d.tierConv(inc.Tier), ThreadOf: inc.CardReply, Text: text, EphemeralTo: to, Auto: true}
}

// notice is inThread for a text with mentions, kept as data: the adapter
// renders them (in Slack they notify) and escapes the rest.
func (d cards) notice(inc *intake.Incident, to string, spans ...intake.Span) intake.Reply {
	r := d.inThread(inc, intake.PlainText(spans), to)
	r.Rich = spans
	return r
}

// Card returns inc as agents see it, for desks that render cards themselves
// (the web desk).
func (d *Desk) Card(inc *intake.Incident) *intake.Card { return d.bound().cards.card(inc) }

// cardSeq returns n of a card reply ID card:INC-...:n, 0 for none.
func cardSeq(id string) int {
	var n int
	if i := strings.LastIndexByte(id, ':'); i >= 0 {
		_, _ = fmt.Sscanf(id[i+1:], "%d", &n)
	}
	return n
}

// mention is a mention of user as data, for the adapters to render; intake
// itself stays plain text.
func mention(user string) intake.Span {
	if user == "" || user == Actor || strings.HasPrefix(user, "sla") {
		return intake.Span{Text: "intake"}
	}
	return intake.Span{User: user}
}

// text is a plain text span.
func text(s string) intake.Span { return intake.Span{Text: s} }
