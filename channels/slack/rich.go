package slack

import (
	"regexp"
	"strings"

	"github.com/intake-support/intake"
)

// groupID and channelID match the Slack IDs rendered as a group mention or a
// channel link; anything else is shown as escaped text.
var (
	groupID   = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
	channelID = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)
)

// rich renders spans as mrkdwn: text escaped (bold when Strong), users,
// groups and notices as mentions that notify, channels as links.
func rich(spans []intake.Span) string {
	var b strings.Builder
	for _, s := range spans {
		switch {
		case s.User != "":
			b.WriteString(mention(s.User))
		case s.Group != "" && groupID.MatchString(s.Group):
			b.WriteString("<!subteam^" + s.Group + ">")
		case s.Notify == "here" || s.Notify == "channel":
			b.WriteString("<!" + s.Notify + ">")
		case s.Channel != "" && channelID.MatchString(s.Channel):
			b.WriteString("<#" + s.Channel + ">")
		case s.Text != "" && s.Strong:
			b.WriteString("*" + escape(s.Text) + "*")
		default:
			b.WriteString(escape(intake.PlainText([]intake.Span{s})))
		}
	}
	return b.String()
}
