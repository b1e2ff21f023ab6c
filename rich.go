package intake

import "strings"

// Span is one piece of a text intake composes for agents, kept as data so
// that each adapter renders it its own way (Slack mrkdwn and mentions, plain
// text elsewhere). A span is one of: Text (Strong emphasises it where the
// channel can), a mention of a User or a user Group, a channel-wide Notify
// ("here" or "channel"), or a link to a chat Channel. Text is never markup:
// adapters escape it.
type Span struct {
	Text    string `json:"text,omitempty"`
	Strong  bool   `json:"strong,omitempty"`
	User    string `json:"user,omitempty"`
	Group   string `json:"group,omitempty"`
	Notify  string `json:"notify,omitempty"`
	Channel string `json:"channel,omitempty"`
}

// PlainText renders spans for a channel without mentions: a user as @ID, a
// group as @ID, a notice as @here, a channel as #ID.
func PlainText(spans []Span) string {
	var b strings.Builder
	for _, s := range spans {
		switch {
		case s.User != "":
			b.WriteString("@" + s.User)
		case s.Group != "":
			b.WriteString("@" + s.Group)
		case s.Notify != "":
			b.WriteString("@" + s.Notify)
		case s.Channel != "":
			b.WriteString("#" + s.Channel)
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}
