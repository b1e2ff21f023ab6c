// Package triage is the Level I support bot: it detects the language of a
// message, classifies it against the knowledge base with a calibrated
// confidence, collects the details its category needs, answers from the KB,
// asks whether that solved it, and resolves or escalates with what it learned.
package triage
