// Package escalation is the human side of intake: it routes incidents Level I
// could not resolve to a tier, posts and updates their cards in the tier's
// Slack channel (or the web desk), runs claims, releases, escalations and
// resolutions, keeps the SLA clocks (in business hours), groups similar
// reports under a major incident and shares tier III resolutions with the
// team. Cards, mentions and notices are data (intake.Card, intake.Span) that
// the adapters render. Every text is in a phrase table, in Spanish and
// English: what customers read in phrases.go (in the customer's language),
// what agents read in deskphrases.go (in the desk's language, the first of
// triage.languages).
//
// Like the Level I bot it is a pure handler: it changes the incident it is
// given and returns an intake.Outcome (replies, SLA timers to schedule or
// cancel, notices to other incidents); the spine stores the incident, then
// applies the outcome. It imports neither the spine (channels) nor the store:
// what it reads of other incidents comes through Incidents.
package escalation
