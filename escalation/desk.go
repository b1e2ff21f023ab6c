package escalation

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

// DefaultKnowledgeTier is the tier whose resolutions are shared with the team
// (the seed's back end, tier III).
const DefaultKnowledgeTier intake.TierID = "L3"

// Actor names intake itself on the timeline.
const Actor = "intake"

// Desk is the human side of intake; it implements channels.Humans. Like every
// handler it changes the incident in place and returns an Outcome (replies,
// SLA timers, notices to other incidents); the worker stores the incident and
// then applies the outcome. Its only direct writes are draft articles,
// idempotent, so a handling that is retried after a conflicting write does no
// harm.
//
// The desk itself runs the agents' actions and routing (actions.go, this
// file); each handling gets its own collaborators for the rest: cards
// (card.go), the SLA clocks (timers.go, steps.go), the customer's texts
// (customer.go, phrases.go), major incidents (major.go), knowledge sharing
// (knowledge.go) and the on-call alert (oncall.go). What agents read, in the
// desk's language, is in deskphrases.go.
type Desk struct {
	cur           *atomic.Pointer[snapshot]
	incidents     Incidents
	now           func() time.Time
	log           *slog.Logger
	knowledgeTier intake.TierID
	metrics       Counters

	// One handling's configuration and outcome (see bound), and the
	// collaborators that share them.
	*scope
	router    *Router
	cards     cards
	clocks    clocks
	customers customers
	majors    majors
	knowledge knowledge
	onCall    onCall
}

// Incidents is what the desk reads besides the incident in hand: other
// incidents, to group similar reports under a major incident. The spine
// provides it (channels.Incidents) over its store.
type Incidents interface {
	GetIncident(ctx context.Context, id intake.IncidentID) (*intake.Incident, error)
	// ListByStatus returns every incident in status s.
	ListByStatus(ctx context.Context, s intake.Status) ([]*intake.Incident, error)
	// RecentByStatus returns the newest incidents in status s, at most limit.
	RecentByStatus(ctx context.Context, s intake.Status, limit int) ([]*intake.Incident, error)
}

// Counters counts what the desk decided; *metrics.Ops is one.
type Counters interface {
	Escalated(reason string, tier intake.TierID)
	SLABreached(tier intake.TierID, clock string)
}

// The SLA clocks, as Counters.SLABreached names them.
const (
	clockClaim   = "claim"
	clockResolve = "resolve"
)

// noCounters counts nothing (the default).
type noCounters struct{}

func (noCounters) Escalated(string, intake.TierID)   {}
func (noCounters) SLABreached(intake.TierID, string) {}

// Option configures a Desk.
type Option func(*Desk)

// WithClock sets the clock SLAs and the timeline use (time.Now by default).
func WithClock(now func() time.Time) Option { return func(d *Desk) { d.now = now } }

// WithLogger sets the logger (slog.Default by default).
func WithLogger(l *slog.Logger) Option { return func(d *Desk) { d.log = l } }

// WithMetrics counts escalations and SLA breaches in m.
func WithMetrics(m Counters) Option { return func(d *Desk) { d.metrics = m } }

// New returns the desk of cfg, reading other incidents from incidents.
func New(cfg *config.Config, incidents Incidents, opts ...Option) *Desk {
	d := &Desk{incidents: incidents, now: time.Now, log: slog.Default(), knowledgeTier: DefaultKnowledgeTier, metrics: noCounters{}}
	for _, o := range opts {
		o(d)
	}
	d.cur = &atomic.Pointer[snapshot]{}
	r, err := NewRouter(cfg)
	if err != nil {
		d.log.Error("routing rules", "err", err)
		r = &Router{tiers: cfg.Tiers, lang: deskLang(cfg)} // everything to the first tier
	}
	d.cur.Store(&snapshot{cfg: cfg, router: r})
	return d.bound()
}

// snapshot is one loaded configuration and its router.
type snapshot struct {
	cfg    *config.Config
	router *Router
}

// bound returns the desk working with the current configuration, with
// collaborators of its own for one handling.
func (d *Desk) bound() *Desk {
	s := d.cur.Load()
	c := *d
	sc := &scope{cfg: s.cfg, fx: &intake.Outcome{}}
	c.scope, c.router = sc, s.router
	c.cards = cards{sc}
	c.clocks = clocks{sc}
	c.customers = customers{sc}
	c.majors = majors{scope: sc, incidents: d.incidents, cards: c.cards, clocks: c.clocks, customers: c.customers}
	c.knowledge = knowledge{scope: sc, cards: c.cards}
	c.onCall = onCall{scope: sc}
	return &c
}

// outcome is the outcome of this handling: replies, and the timers and
// notices collected on the way.
func (d *Desk) outcome(replies []intake.Reply) intake.Outcome {
	return intake.Outcome{Replies: replies, Timers: d.fx.Timers, Notify: d.fx.Notify, Drafts: d.fx.Drafts}
}

// Reload makes the desk use cfg from the next message on. When cfg's routing
// rules do not compile it returns the error and keeps the old configuration.
// Timers already scheduled keep their deadlines.
func (d *Desk) Reload(cfg *config.Config) error {
	r, err := NewRouter(cfg)
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	d.cur.Store(&snapshot{cfg: cfg, router: r})
	return nil
}

// Router returns the routing rules the desk applies (for `intake route`).
func (d *Desk) Router() *Router { return d.cur.Load().router }

func (d *Desk) clock() time.Time { return d.now().UTC() }

// Escalate routes inc to a tier (esc.Tier, when it names one, overrides the
// routing rules), posts its card there and tells the customer a person will
// follow up.
func (d *Desk) Escalate(ctx context.Context, inc *intake.Incident, esc intake.Escalation) (intake.Outcome, error) {
	d = d.bound()
	now := d.clock()
	inc.Escalation = &esc
	if inc.Language == "" {
		inc.Language = esc.Language
	}
	if inc.Category == "" {
		inc.Category = esc.Category
	}
	if len(esc.Details) > 0 {
		if inc.Details == nil {
			inc.Details = map[string]string{}
		}
		for k, v := range esc.Details {
			if _, ok := inc.Details[k]; !ok {
				inc.Details[k] = v
			}
		}
	}
	if parent, join, err := d.majors.findParent(ctx, inc, now); err != nil {
		return intake.Outcome{}, fmt.Errorf("escalate %s: %w", inc.ID, err)
	} else if parent != "" {
		ack, err := d.majors.group(ctx, inc, parent, join, now)
		if err != nil {
			return intake.Outcome{}, err
		}
		return d.outcome([]intake.Reply{ack}), nil
	}
	to, why := esc.Tier, d.toAgents("why_forced")
	if to == "" || d.tier(to) == nil {
		dec := d.router.Route(d.routeInput(inc, esc, now))
		to, why = dec.Tier, d.toAgents("why_rule", dec.Rule)
		if dec.Rule == "" {
			why = d.toAgents("why_none")
		}
	}
	if d.tier(to) == nil {
		return intake.Outcome{}, fmt.Errorf("escalate %s: no tier %q configured", inc.ID, to)
	}
	inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: Actor, Tier: to, Text: d.toAgents("note_routed", to, why)})
	replies, err := d.moveTo(inc, to, Actor, esc.Reason, now)
	if err != nil {
		return intake.Outcome{}, fmt.Errorf("escalate %s: %w", inc.ID, err)
	}
	d.metrics.Escalated(esc.Reason, to)
	alert, alerted := d.onCall.alert(inc, now)
	if alerted {
		replies = append(replies, alert)
	}
	replies = append(replies, d.customers.ack(inc, now, alerted))
	return d.outcome(replies), nil
}

// routeInput gathers what routing looks at from an incident.
func (d *Desk) routeInput(inc *intake.Incident, esc intake.Escalation, now time.Time) RouteInput {
	keys := slices.Sorted(maps.Keys(inc.Details))
	var text []string
	for _, k := range keys {
		text = append(text, inc.Details[k])
	}
	return RouteInput{
		Category: inc.Category, Language: inc.Language, Confidence: esc.Confidence,
		Channel: inc.Customer.Channel, Sender: inc.Customer, Subject: inc.Subject,
		Text: strings.Join(text, "\n"), Time: now, Urgent: esc.Reason == "urgent",
	}
}

// moveTo puts inc in tier to, unclaimed: a new card in the tier's channel,
// the old card (if any) updated to say where it went, and the claim clock
// started afresh.
func (d *Desk) moveTo(inc *intake.Incident, to intake.TierID, actor, note string, now time.Time) ([]intake.Reply, error) {
	from, oldCard := inc.Tier, inc.CardReply
	d.clocks.cancel(inc, from)
	inc.Tier = to
	inc.ClaimedBy = ""
	if err := inc.Transition(intake.StatusEscalated, actor, now, note); err != nil {
		return nil, err
	}
	inc.Timeline[len(inc.Timeline)-1].Tier = to
	d.clocks.startClaim(inc, now)
	inc.CardReply = fmt.Sprintf("card:%s:%d", inc.ID, cardSeq(oldCard)+1)
	replies := []intake.Reply{d.cards.post(inc)}
	if oldCard != "" && from != "" {
		replies = append(replies, d.cards.moved(inc, oldCard, from, actor))
	}
	return replies, nil
}
