package config

import (
	"fmt"
	"slices"

	intake "github.com/intake-support/intake"
)

// Unreachable says, one sentence per tier, which escalations would reach no
// person: a tier announces its incidents by posting cards in its Slack
// channel or, when the web desk serves it (see ServedByDesk), on the desk's
// queue, where only its agents and the managers see them. So a tier whose
// cards go to Slack while channels.slack is off, or whose desk queue no user
// may open, leaves its escalated incidents waiting for an agent nobody tells.
// Nothing is returned when every tier reaches someone.
func (c *Config) Unreachable() []string {
	var out []string
	for i := range c.Tiers {
		t := &c.Tiers[i]
		switch {
		case c.ServedByDesk(t):
			if !c.Web.serves(t.ID) {
				out = append(out, fmt.Sprintf("tier %s is served by the web desk but no web.users entry is a manager or an agent of %s: its escalated incidents reach no agent", t.ID, t.ID))
			}
		case !c.Channels.Slack.Enabled():
			out = append(out, fmt.Sprintf("tier %s posts its cards to Slack channel %s but channels.slack is off (no bot_token) and the web desk is off: its escalated incidents reach no agent", t.ID, t.SlackChannel))
		}
	}
	return out
}

// serves reports whether some desk user may act on tier's incidents.
func (w *Web) serves(tier intake.TierID) bool {
	for _, u := range w.Users {
		if u.Role == RoleManager || slices.Contains(u.Tiers, tier) {
			return true
		}
	}
	return false
}
