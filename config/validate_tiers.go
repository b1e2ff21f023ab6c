package config

import (
	"fmt"
	"regexp"
	"strings"

	intake "github.com/intake-support/intake"
)

func validateTiers(c *Config, d *decoder) {
	if len(c.Tiers) == 0 {
		d.required("tiers", ": at least one human tier, such as {id: L2, name: Nivel II, slack_channel: C0L2}")
		return
	}
	first := map[intake.TierID]int{}
	for i, t := range c.Tiers {
		p := fmt.Sprintf("tiers[%d]", i)
		switch {
		case t.ID == "":
			d.required(p+".id", "")
		case checkTierID(string(t.ID)) != nil:
			d.check(p+".id", checkTierID(string(t.ID)))
		default:
			if j, dup := first[t.ID]; dup {
				d.failPath(p+".id", fmt.Sprintf("duplicate tier id %s (also tiers[%d])", t.ID, j))
			} else {
				first[t.ID] = i
			}
		}
		if t.SlackChannel == "" && !c.Web.Enabled {
			d.required(p+".slack_channel", ": the Slack channel where the tier's cards are posted (or turn web.enabled on: the web desk serves tiers without one)")
		}
		d.check(p+".clock", oneOf(t.Clock, ClockBusiness, ClockAlways))
		d.check(p+".name", checkText(t.Name))
		validateOnCall(t.OnCall, d, p+".on_call")
	}
	for i, t := range c.Tiers {
		p := fmt.Sprintf("tiers[%d]", i)
		if t.Next != "" {
			if t.Next == t.ID {
				d.failPath(p+".next", fmt.Sprintf("tier %s cannot escalate to itself", t.ID))
			} else {
				d.check(p+".next", c.knownTier(t.Next))
			}
		}
		validateSteps(c, d, p, t)
	}
	reportLoops(c, d)
}

// validateOnCall checks an on-call target written at path (absent is fine).
func validateOnCall(o OnCall, d *decoder, path string) {
	if !d.present(path) {
		return
	}
	if o.SlackChannel == "" {
		d.required(path+".slack_channel", ": the Slack channel the on-call alert is posted in")
	}
	if m := o.Mention; m != "" && m != "here" && m != "channel" && !slackIDPattern.MatchString(m) {
		d.failPath(path+".mention", fmt.Sprintf("%q is not a Slack user group (S...) or user (U... or W...) ID, nor here or channel", m))
	}
	h := o.Hours
	if h.Kind != OnCallWindow {
		return
	}
	if len(h.Days) == 0 {
		d.failPath(path+".hours.days", "no days: list at least one, such as [sat, sun]")
	}
	if h.From >= h.To && !d.bad[path+".hours.from"] && !d.bad[path+".hours.to"] {
		d.failPath(path+".hours.to", fmt.Sprintf("%s must be later than from (%s); for nights use hours: off_hours", h.To, h.From))
	}
}

// slackIDPattern is a Slack user group, user or enterprise user ID.
var slackIDPattern = regexp.MustCompile(`^[SUW][A-Z0-9]{2,}$`)

func validateSteps(c *Config, d *decoder, p string, t Tier) {
	for j, s := range t.Steps {
		q := fmt.Sprintf("%s.steps[%d]", p, j)
		if s.After == 0 {
			d.required(q+".after", ": how long after arriving unclaimed, such as 15m")
		}
		if j > 0 && s.After != 0 && s.After < t.Steps[j-1].After {
			d.failPath(q+".after", fmt.Sprintf("%s comes before the previous step's %s: list steps in order", fmtDur(s.After), fmtDur(t.Steps[j-1].After)))
		}
		if s.Action == "" {
			d.required(q+".action", ": remind, escalate or notify")
			continue
		}
		if err := oneOf(s.Action, ActionRemind, ActionEscalate, ActionNotify); err != nil {
			d.failPath(q+".action", err.Error())
			continue
		}
		switch s.Action {
		case ActionEscalate:
			switch {
			case s.Tier == "":
				d.failPath(q+".tier", "escalate needs a tier: set tier here or next on the tier")
			case !d.present(q + ".tier"):
				// Defaulted from next, which is checked on its own.
			case s.Tier == t.ID:
				d.failPath(q+".tier", fmt.Sprintf("tier %s cannot escalate to itself", t.ID))
			default:
				d.check(q+".tier", c.knownTier(s.Tier))
			}
		case ActionNotify:
			if s.Channel == "" {
				d.failPath(q+".channel", "notify needs a channel: set channel here or channels.slack.manager_channel")
			}
		}
	}
}

// reportLoops finds next chains that come back to where they started, which
// would pass an unclaimed incident around forever. Each loop is reported once,
// on its first tier in the file.
func reportLoops(c *Config, d *decoder) {
	for i, t := range c.Tiers {
		chain := []string{string(t.ID)}
		cur, seen := t, map[intake.TierID]bool{t.ID: true}
		for cur.Next != "" {
			next, ok := c.Tier(cur.Next)
			if !ok || next.ID == cur.ID {
				break
			}
			chain = append(chain, string(next.ID))
			if seen[next.ID] {
				if next.ID == t.ID && c.tierIndex(t.ID) == i && lowestInLoop(c, chain) == i {
					d.failPath(fmt.Sprintf("tiers[%d].next", i), "escalation goes round in a loop: "+strings.Join(chain, " -> "))
				}
				break
			}
			seen[next.ID] = true
			cur = *next
		}
	}
}

func lowestInLoop(c *Config, chain []string) int {
	low := len(c.Tiers)
	for _, id := range chain {
		low = min(low, c.tierIndex(intake.TierID(id)))
	}
	return low
}

func (c *Config) tierIndex(id intake.TierID) int {
	for i := range c.Tiers {
		if c.Tiers[i].ID == id {
			return i
		}
	}
	return -1
}

func (c *Config) knownTier(id intake.TierID) error {
	if _, ok := c.Tier(id); ok {
		return nil
	}
	ids := make([]string, 0, len(c.Tiers))
	for i, t := range c.Tiers {
		if t.ID != "" && c.tierIndex(t.ID) == i {
			ids = append(ids, string(t.ID))
		}
	}
	if len(ids) == 0 {
		return fmt.Errorf("unknown tier %q", id)
	}
	return fmt.Errorf("unknown tier %q (tiers: %s)", id, strings.Join(ids, ", "))
}

func validateRouting(c *Config, d *decoder) {
	names := map[string]int{}
	catchAll := -1
	for i := range c.Routing {
		r := &c.Routing[i]
		p := fmt.Sprintf("routing[%d]", i)
		if r.Name == "" {
			d.required(p+".name", ": the rule's name, shown by intake route")
		} else if j, dup := names[r.Name]; dup {
			d.failPath(p+".name", fmt.Sprintf("duplicate rule name %q (also routing[%d])", r.Name, j))
		} else {
			names[r.Name] = i
		}
		if r.Tier == "" {
			d.required(p+".tier", ": the tier the rule sends incidents to")
		} else {
			d.check(p+".tier", c.knownTier(r.Tier))
		}
		validateMatch(&r.When, d, p+".when")
		if catchAll >= 0 {
			d.failPath(p, fmt.Sprintf("rule %q can never match: rule %q above it matches everything", r.Name, c.Routing[catchAll].Name))
		} else if r.When.CatchAll() {
			catchAll = i
		}
	}
}

func validateMatch(m *Match, d *decoder, p string) {
	for i, cat := range m.Category {
		d.check(fmt.Sprintf("%s.category[%d]", p, i), checkIdent("category", cat))
	}
	for i, l := range m.Language {
		d.check(fmt.Sprintf("%s.language[%d]", p, i), checkLanguage(l))
	}
	for i, l := range m.LanguageNot {
		d.check(fmt.Sprintf("%s.language_not[%d]", p, i), checkLanguage(l))
	}
	for i, ch := range m.Channel {
		d.check(fmt.Sprintf("%s.channel[%d]", p, i), oneOf(string(ch), string(intake.ChannelEmail), string(intake.ChannelSlack), string(intake.ChannelDiscord)))
	}
	for i, dom := range m.FromDomain {
		d.check(fmt.Sprintf("%s.from_domain[%d]", p, i), checkHostname(dom))
	}
	for i, k := range m.Keywords {
		if strings.TrimSpace(k) == "" {
			d.failPath(fmt.Sprintf("%s.keywords[%d]", p, i), "empty keyword")
		}
	}
	if m.Regex != "" {
		re, err := regexp.Compile(m.Regex)
		if err != nil {
			d.failPath(p+".regex", fmt.Sprintf("invalid regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: ")))
		}
		m.Regexp = re
	}
	if m.MinConfidence != nil {
		d.check(p+".min_confidence", checkUnit(*m.MinConfidence))
	}
	if m.MaxConfidence != nil {
		d.check(p+".max_confidence", checkUnit(*m.MaxConfidence))
	}
	if m.MinConfidence != nil && m.MaxConfidence != nil && *m.MinConfidence > *m.MaxConfidence {
		d.failPath(p+".max_confidence", fmt.Sprintf("%v is below min_confidence (%v): the rule could never match", *m.MaxConfidence, *m.MinConfidence))
	}
}
