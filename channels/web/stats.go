package web

import (
	"slices"
	"strings"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

// figures are the managers' view of a period.
type figures struct {
	From, To      time.Time
	Total         int
	Resolved      int
	ResolvedByBot int
	Deflection    float64
	FirstReply    durations
	CSAT          float64
	CSATCount     int
	CSATDist      [5]int
	Breaches      int
	Tiers         []tierFigures
	ByTier        []group
	ByCategory    []group
	ByLanguage    []group
	ByChannel     []group
	KB            []kbFigures
}

// durations summarizes a set of durations by their median.
type durations struct {
	Median time.Duration
	Count  int
	all    []time.Duration
}

func (d *durations) add(x time.Duration) { d.all = append(d.all, x) }

func (d *durations) done() {
	slices.Sort(d.all)
	d.Count = len(d.all)
	if d.Count > 0 {
		d.Median = d.all[d.Count/2]
	}
}

// tierFigures compares a tier's times with its SLA.
type tierFigures struct {
	ID                   intake.TierID
	Name                 string
	ClaimTarget          time.Duration
	ResolveTarget        time.Duration
	Claim, Resolve       durations
	ClaimLate, SolveLate int
	// ClaimPct and ResolvePct are the medians as a share of the target, for
	// the bars (capped at 1.5).
	ClaimPct, ResolvePct float64
}

// group counts the incidents sharing a value (a tier, a category...).
type group struct {
	Key      string
	Count    int
	Resolved int
	Share    float64 // of the largest group, for the bars
}

type kbFigures struct {
	ID, Title, Category string
	Answered, Failed    int
	Share               float64
}

// compute gathers the figures of incidents created in [from, to).
func compute(cfg *config.Config, incs []*intake.Incident, articles []Article, from, to time.Time) *figures {
	f := &figures{From: from, To: to}
	tiers := map[intake.TierID]*tierFigures{}
	for _, t := range cfg.Tiers {
		tf := &tierFigures{ID: t.ID, Name: t.Name.In(cfg.DeskLanguage()), ClaimTarget: t.ClaimWithin, ResolveTarget: t.ResolveWithin}
		tiers[t.ID] = tf
	}
	counts := map[string]map[string]*group{"tier": {}, "category": {}, "language": {}, "channel": {}}
	answered, failed := map[string]int{}, map[string]int{}
	var csatSum int
	for _, inc := range incs {
		if inc.CreatedAt.Before(from) || !inc.CreatedAt.Before(to) {
			continue
		}
		f.Total++
		done := !inc.Open()
		if done {
			f.Resolved++
			if inc.Escalation == nil {
				f.ResolvedByBot++
			}
		}
		ch := string(inc.Customer.Channel)
		for dim, key := range map[string]string{"tier": orNone(string(inc.Tier)), "category": orNone(inc.Category), "language": orNone(inc.Language), "channel": orNone(ch)} {
			g := counts[dim][key]
			if g == nil {
				g = &group{Key: key}
				counts[dim][key] = g
			}
			g.Count++
			if done {
				g.Resolved++
			}
		}
		if s := inc.Satisfaction; s >= 1 && s <= 5 {
			f.CSATCount++
			csatSum += s
			f.CSATDist[s-1]++
		}
		walk(inc, tiers, f)
		for _, e := range inc.Timeline {
			if e.Kind == intake.EventTriage && strings.Contains(e.Text, "action=answer") {
				if a := field(e.Text, "article"); a != "" {
					answered[a]++
				}
			}
		}
		if inc.Escalation != nil {
			for _, a := range inc.Escalation.Tried {
				failed[a]++
			}
		}
	}
	if f.Resolved > 0 {
		f.Deflection = float64(f.ResolvedByBot) / float64(f.Resolved)
	}
	if f.CSATCount > 0 {
		f.CSAT = float64(csatSum) / float64(f.CSATCount)
	}
	f.FirstReply.done()
	for _, t := range cfg.Tiers {
		tf := tiers[t.ID]
		tf.Claim.done()
		tf.Resolve.done()
		tf.ClaimPct, tf.ResolvePct = ratio(tf.Claim.Median, tf.ClaimTarget), ratio(tf.Resolve.Median, tf.ResolveTarget)
		f.Breaches += tf.ClaimLate + tf.SolveLate
		f.Tiers = append(f.Tiers, *tf)
	}
	f.ByTier, f.ByCategory = groups(counts["tier"]), groups(counts["category"])
	f.ByLanguage, f.ByChannel = groups(counts["language"]), groups(counts["channel"])
	top := 1
	for _, a := range articles {
		top = max(top, answered[a.ID], failed[a.ID])
	}
	for _, a := range articles {
		f.KB = append(f.KB, kbFigures{ID: a.ID, Title: a.Title, Category: a.Category, Answered: answered[a.ID], Failed: failed[a.ID],
			Share: float64(answered[a.ID]) / float64(top)})
	}
	slices.SortStableFunc(f.KB, func(x, y kbFigures) int { return (y.Answered + y.Failed) - (x.Answered + x.Failed) })
	return f
}

// walk follows an incident's timeline through its tiers: when it arrived
// in one, when it was claimed there, when it was resolved.
func walk(inc *intake.Incident, tiers map[intake.TierID]*tierFigures, f *figures) {
	var tier intake.TierID
	var arrived, claimed, escalated time.Time
	replied := false
	for _, e := range inc.Timeline {
		switch {
		case e.Kind == intake.EventStatus && e.To == intake.StatusEscalated:
			if e.Tier != "" {
				tier = e.Tier
			} else if tier == "" {
				tier = inc.Tier
			}
			arrived, claimed = e.At, time.Time{}
			if escalated.IsZero() {
				escalated = e.At
			}
		case e.Kind == intake.EventStatus && e.To == intake.StatusClaimed && !arrived.IsZero():
			claimed = e.At
			if tf := tiers[tier]; tf != nil {
				d := e.At.Sub(arrived)
				tf.Claim.add(d)
				if tf.ClaimTarget > 0 && d > tf.ClaimTarget {
					tf.ClaimLate++
				}
			}
		case e.Kind == intake.EventStatus && e.To == intake.StatusResolved && !arrived.IsZero():
			start := claimed
			if start.IsZero() {
				start = arrived
			}
			if tf := tiers[tier]; tf != nil {
				d := e.At.Sub(start)
				tf.Resolve.add(d)
				if tf.ResolveTarget > 0 && d > tf.ResolveTarget {
					tf.SolveLate++
				}
			}
		case e.Kind == intake.EventReply && !replied && !escalated.IsZero() && e.Reply != nil && e.Reply.Author != "":
			replied = true
			f.FirstReply.add(e.At.Sub(escalated))
		}
	}
}

func ratio(d, target time.Duration) float64 {
	if target <= 0 {
		return 0
	}
	return min(float64(d)/float64(target), 1.5)
}

func groups(m map[string]*group) []group {
	var out []group
	top := 1
	for _, g := range m {
		out = append(out, *g)
		top = max(top, g.Count)
	}
	for i := range out {
		out[i].Share = float64(out[i].Count) / float64(top)
	}
	slices.SortFunc(out, func(x, y group) int {
		if x.Count != y.Count {
			return y.Count - x.Count
		}
		return strings.Compare(x.Key, y.Key)
	})
	return out
}

// field reads key=value from a Level I decision note.
func field(text, key string) string {
	for _, kv := range strings.Fields(text) {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}
