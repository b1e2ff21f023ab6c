package escalation

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/intake-support/intake"
)

// knowledge shares what tier III resolved with the team: a post in the
// knowledge channel and a draft KB article for a manager to review.
type knowledge struct {
	*scope
	cards cards
}

// summary is what the team learns from a knowledge-tier resolution.
type summary struct {
	Problem, Cause, Fix string
}

// summarize splits a resolution into cause and fix when the agent wrote
// "Cause:"/"Causa:" and "Fix:"/"Solución:" lines; otherwise it is all fix.
func summarize(inc *intake.Incident, title string) summary {
	s := summary{Problem: title}
	if desc := inc.Details["description"]; desc != "" && desc != s.Problem {
		s.Problem += " - " + desc
	}
	var fix []string
	for _, line := range strings.Split(inc.Resolution, "\n") {
		low := strings.ToLower(strings.TrimSpace(line))
		switch {
		case hasAnyPrefix(low, "cause:", "causa:"):
			s.Cause = strings.TrimSpace(line[strings.IndexByte(line, ':')+1:])
		case hasAnyPrefix(low, "fix:", "solución:", "solucion:"):
			fix = append(fix, strings.TrimSpace(line[strings.IndexByte(line, ':')+1:]))
		default:
			fix = append(fix, line)
		}
	}
	s.Fix = strings.TrimSpace(strings.Join(fix, "\n"))
	return s
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// share posts the summary of a knowledge-tier resolution to the knowledge
// channel and drafts it as a KB article, which the spine writes. The draft's
// file name is the incident's, so a handling repeated after a conflict
// rewrites the same file.
func (d knowledge) share(inc *intake.Incident, who string, now time.Time) []intake.Reply {
	s := summarize(inc, d.title(inc))
	var replies []intake.Reply
	if ch := d.cfg.Channels.Slack.KnowledgeChannel; ch != "" && !d.deskOnly() {
		strong := func(s string) intake.Span { return intake.Span{Text: s, Strong: true} }
		spans := []intake.Span{strong(d.toAgents("shared_resolved", d.tierName(inc.Tier), inc.ID)), text(d.toAgents("shared_by")), mention(who),
			text("\n"), strong(d.toAgents("shared_problem")), text(" " + s.Problem + "\n")}
		if s.Cause != "" {
			spans = append(spans, strong(d.toAgents("shared_cause")), text(" "+s.Cause+"\n"))
		}
		spans = append(spans, strong(d.toAgents("shared_fix")), text(" "+s.Fix))
		if inc.Category != "" {
			spans = append(spans, text(d.toAgents("shared_draft", inc.Category)))
		}
		replies = append(replies, intake.Reply{Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: ch},
			Text: intake.PlainText(spans), Rich: spans, Auto: true})
	}
	d.draft(inc, s)
	inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: Actor, Tier: inc.Tier, Text: d.toAgents("note_shared")})
	return replies
}

// draftPath is where the draft article of inc is written: in
// triage.drafts_dir, which config/ defaults and resolves against the
// configuration's folder.
func (d knowledge) draftPath(inc *intake.Incident) string {
	return filepath.Join(d.cfg.Triage.DraftsDir, strings.ToLower(string(inc.ID))+".yaml")
}

// draft asks the spine to write the draft article of inc (see intake.Draft).
func (d knowledge) draft(inc *intake.Incident, s summary) {
	lang := inc.Language
	if lang != "es" && lang != "en" {
		lang = "en"
	}
	answer := s.Fix
	if s.Cause != "" {
		answer = phrase("cause", lang) + s.Cause + "\n\n" + s.Fix
	}
	category := inc.Category
	if category == "" {
		category = "other"
	}
	// Only the incident's language is known; the other stays for the manager.
	a := intake.Article{
		ID: "draft-" + strings.ToLower(string(inc.ID)), Category: category,
		Title:     map[string]string{lang: d.title(inc)},
		Questions: map[string][]string{lang: {s.Problem}},
		Answer:    map[string]string{lang: answer},
	}
	d.fx.Drafts = append(d.fx.Drafts, intake.Draft{Path: d.draftPath(inc), Header: d.toAgents("draft_header", inc.ID, inc.Tier), Article: a})
}
