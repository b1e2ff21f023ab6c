// Package escalation is the human side of intake: it routes incidents Level I
// could not resolve to a tier, posts and updates their cards in the tier's
// Slack channel, runs claims, releases, escalations and resolutions, keeps the
// SLA clocks (in business hours) with durable timers, and shares tier III
// resolutions with the team.
package escalation
