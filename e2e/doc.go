// Package e2e holds the cross-channel end-to-end tests: the real email and
// Slack adapters, triage bot and escalation desk, wired as `intake serve`
// wires them, against test peers (an SMTP client and a recording SMTP relay,
// a fake Slack Web API and signed Slack requests).
package e2e
