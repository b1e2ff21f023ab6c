package config

import "fmt"

// Unreachable says, one sentence per tier, which escalations would reach no
// person: a tier announces its incidents by posting cards in its Slack
// channel, so while channels.slack is off an escalated incident waits for an
// agent nobody tells. deskEnabled says whether another place shows agents
// their tiers' incidents (the web desk), which makes Slack optional. Nothing
// is returned when every tier reaches someone.
func (c *Config) Unreachable(deskEnabled bool) []string {
	if deskEnabled || c.Channels.Slack.Enabled() {
		return nil
	}
	var out []string
	for _, t := range c.Tiers {
		out = append(out, fmt.Sprintf("tier %s posts its cards to Slack channel %s but channels.slack is off (no bot_token): its escalated incidents reach no agent", t.ID, t.SlackChannel))
	}
	return out
}
