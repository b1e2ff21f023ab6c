package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// row is one incident in a queue.
type row struct {
	Card    *intake.Card
	Left    time.Duration // SLA time left, negative when overdue
	HasSLA  bool
	Overdue bool
	MayAct  bool
}

// queueData is what queue.html shows.
type queueData struct {
	Tiers  []tierChoice
	Tier   intake.TierID
	Rows   []row
	Status string
}

type tierChoice struct {
	ID       intake.TierID
	Name     string
	Selected bool
}

// queue lists the open escalated incidents the user's tiers (or, for a
// manager, every tier, or the one chosen) hold: unclaimed first, then by
// SLA time left.
func (a *Adapter) queue(ctx context.Context, u *User, tier intake.TierID) (*queueData, error) {
	cfg := a.config()
	d := &queueData{Tier: tier}
	for _, t := range cfg.Tiers {
		if u.Manager() || slices.Contains(u.Tiers, t.ID) {
			d.Tiers = append(d.Tiers, tierChoice{ID: t.ID, Name: t.Name.In(cfg.DeskLanguage()), Selected: t.ID == tier})
		}
	}
	show := func(t intake.TierID) bool {
		if tier != "" {
			return t == tier
		}
		return u.Manager() || slices.Contains(u.Tiers, t)
	}
	now := a.opts.Clock()
	for _, s := range []intake.Status{intake.StatusEscalated, intake.StatusClaimed} {
		incs, err := a.opts.Store.ListIncidents(ctx, store.Filter{Status: s})
		if err != nil {
			return nil, err
		}
		for _, inc := range incs {
			if !show(inc.Tier) {
				continue
			}
			c := a.opts.Card(inc)
			rw := row{Card: c, MayAct: u.MayAct(inc.Tier)}
			due := c.ClaimDue
			if c.Status == intake.StatusClaimed {
				due = c.ResolveDue
			}
			if !due.IsZero() {
				rw.HasSLA, rw.Left = true, due.Sub(now)
				rw.Overdue = rw.Left < 0
			}
			d.Rows = append(d.Rows, rw)
		}
	}
	slices.SortStableFunc(d.Rows, func(x, y row) int {
		if ux, uy := x.Card.ClaimedBy == "", y.Card.ClaimedBy == ""; ux != uy {
			if ux {
				return -1
			}
			return 1
		}
		if x.HasSLA != y.HasSLA {
			if x.HasSLA {
				return -1
			}
			return 1
		}
		return int((x.Left - y.Left) / time.Second)
	})
	return d, nil
}

func (a *Adapter) queuePage(w http.ResponseWriter, r *http.Request, u *User) {
	d, err := a.queue(r.Context(), u, intake.TierID(r.URL.Query().Get("tier")))
	if err != nil {
		a.log.Error("queue", "err", err)
		a.fail(w, r, u, http.StatusInternalServerError, "could not read the queue")
		return
	}
	p := a.newPage(w, r, u, "", d)
	p.Title = p.T["queue"]
	a.render(w, http.StatusOK, "queue", p)
}

// queueFragment is the queue's table alone, which the live view swaps in.
func (a *Adapter) queueFragment(w http.ResponseWriter, r *http.Request, u *User) {
	d, err := a.queue(r.Context(), u, intake.TierID(r.URL.Query().Get("tier")))
	if err != nil {
		a.log.Error("queue", "err", err)
		http.Error(w, "could not read the queue", http.StatusInternalServerError)
		return
	}
	a.renderTemplate(w, http.StatusOK, "queue", "rows", a.newPage(w, r, u, "", d))
}

// entry is one line of the conversation, the notes or the timeline.
type entry struct {
	At     time.Time
	Who    string
	Kind   string // customer, agent, bot, note, system
	Text   string
	Status string
}

// incidentData is what incident.html shows.
type incidentData struct {
	Inc          *intake.Incident
	Card         *intake.Card
	MayAct       bool
	Mine         bool
	Conversation []entry
	Notes        []entry
	Timeline     []entry
	Notices      []string
}

func (a *Adapter) incident(ctx context.Context, u *User, id intake.IncidentID, after intake.MessageID) (*incidentData, error) {
	inc, err := a.opts.Store.GetIncident(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &incidentData{Inc: inc, Card: a.opts.Card(inc), MayAct: u.MayAct(inc.Tier) && inc.Open(), Mine: inc.ClaimedBy == u.Email}
	for _, e := range inc.Timeline {
		switch e.Kind {
		case intake.EventMessage:
			if e.Text != "" {
				d.Conversation = append(d.Conversation, entry{At: e.At, Who: customerName(inc, e.Actor), Kind: "customer", Text: e.Text})
			}
		case intake.EventReply:
			r := e.Reply
			switch {
			case r == nil:
			case r.Conversation.Channel == inc.Conversation.Channel && r.Conversation.Address == inc.Conversation.Address && r.Card == nil:
				who, kind := r.Author, "agent"
				if who == "" {
					who, kind = "Level I", "bot"
				}
				d.Conversation = append(d.Conversation, entry{At: e.At, Who: who, Kind: kind, Text: r.Text})
			case after != "" && e.MessageID == after && r.Card == nil && (r.EphemeralTo == "" || r.EphemeralTo == u.Email):
				d.Notices = append(d.Notices, plainMentions(r.Text))
			}
		case intake.EventNote:
			kind := "note"
			if e.Actor == "intake" || e.Actor == "" {
				kind = "system"
			}
			if kind == "note" {
				d.Notes = append(d.Notes, entry{At: e.At, Who: e.Actor, Kind: kind, Text: e.Text})
			} else {
				d.Timeline = append(d.Timeline, entry{At: e.At, Who: e.Actor, Kind: kind, Text: e.Text})
			}
		case intake.EventStatus:
			d.Timeline = append(d.Timeline, entry{At: e.At, Who: e.Actor, Kind: "status", Status: string(e.From) + " → " + string(e.To), Text: e.Text})
		case intake.EventTriage:
			d.Timeline = append(d.Timeline, entry{At: e.At, Who: "Level I", Kind: "bot", Text: e.Text})
		case intake.EventDelivery:
			if e.Text != "" {
				d.Timeline = append(d.Timeline, entry{At: e.At, Who: e.Actor, Kind: "system", Text: e.Text})
			}
		}
	}
	return d, nil
}

func customerName(inc *intake.Incident, actor string) string {
	if inc.Customer.ID == actor && inc.Customer.Name != "" {
		return inc.Customer.Name + " <" + actor + ">"
	}
	return actor
}

func (a *Adapter) incidentPage(w http.ResponseWriter, r *http.Request, u *User) {
	a.showIncident(w, r, u, "layout.html")
}

// incidentFragment is the incident's main part alone, for the live view.
func (a *Adapter) incidentFragment(w http.ResponseWriter, r *http.Request, u *User) {
	a.showIncident(w, r, u, "main")
}

func (a *Adapter) showIncident(w http.ResponseWriter, r *http.Request, u *User, tmpl string) {
	id, ok := intake.ParseIncidentID(r.PathValue("id"))
	if !ok {
		a.fail(w, r, u, http.StatusBadRequest, "not an incident id: want INC-000123")
		return
	}
	d, err := a.incident(r.Context(), u, id, intake.MessageID(r.URL.Query().Get("after")))
	if errors.Is(err, store.ErrNotFound) {
		a.fail(w, r, u, http.StatusNotFound, string(id)+" not found")
		return
	}
	if err != nil {
		a.log.Error("incident page", "incident", id, "err", err)
		a.fail(w, r, u, http.StatusInternalServerError, "could not read the incident")
		return
	}
	p := a.newPage(w, r, u, string(id)+" · "+d.Card.Title, d)
	a.renderTemplate(w, http.StatusOK, "incident", tmpl, p)
}
