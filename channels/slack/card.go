package slack

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/intake-support/intake"
)

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes s inert in Slack text: with &, < and > escaped, typed
// <!channel>, <@U...> or <http://x|y> show as typed instead of notifying or
// linking.
func escape(s string) string { return escaper.Replace(s) }

// userID matches the Slack user IDs the adapter itself puts on cards; only
// those are rendered as mentions.
var userID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

func mention(id string) string {
	if userID.MatchString(id) {
		return "<@" + id + ">"
	}
	return escape(id)
}

// Slack's limits on block text.
const (
	maxHeader  = 150
	maxSection = 3000
	maxFields  = 10
)

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - 1
	for cut > 0 && !utfStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utfStart(b byte) bool { return b&0xC0 != 0x80 }

func plain(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, false, false)
}

func mrkdwn(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.MarkdownType, s, false, true)
}

// slackTime shows t in each reader's own time zone, with a UTC fallback.
func slackTime(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// cardBlocks renders an incident card. Everything but the claimer and the
// adapter's own chrome is escaped.
func cardBlocks(c *intake.Card, now time.Time) []slackapi.Block {
	// Slack decodes entities in plain_text too, so the header is escaped
	// like the rest.
	blocks := []slackapi.Block{
		slackapi.NewHeaderBlock(plain(truncate(escape(string(c.IncidentID)+" · "+c.Title), maxHeader))),
	}
	field := func(label, value string) *slackapi.TextBlockObject {
		return mrkdwn(truncate("*"+escape(label)+"*\n"+value, 2000))
	}
	l := c.LabelsOrEnglish()
	customer := escape(c.Customer.ID)
	if c.Customer.Name != "" {
		customer = escape(c.Customer.Name) + " (" + customer + ")"
	}
	fields := []*slackapi.TextBlockObject{
		field(l.Customer, customer),
		field(l.Channel, escape(string(c.Origin))),
		field(l.Status, escape(l.StatusName)),
	}
	tier := c.TierName
	if tier == "" {
		tier = string(c.Tier)
	}
	if tier != "" {
		fields = append(fields, field(l.Tier, escape(tier)))
	}
	if c.Language != "" {
		fields = append(fields, field(l.Language, escape(c.Language)))
	}
	if c.Category != "" {
		fields = append(fields, field(l.Category, escape(c.Category)))
	}
	claimer := "_" + escape(l.Unclaimed) + "_"
	if c.ClaimedBy != "" {
		claimer = mention(c.ClaimedBy)
	}
	fields = append(fields, field(l.ClaimedBy, claimer))
	if !c.ClaimDue.IsZero() && c.ClaimedBy == "" {
		fields = append(fields, field(l.ClaimDue, dueText(c.ClaimDue, now, l.Overdue)))
	}
	if !c.ResolveDue.IsZero() {
		fields = append(fields, field(l.ResolveDue, dueText(c.ResolveDue, now, l.Overdue)))
	}
	if c.Reports > 0 {
		fields = append(fields, field(l.Reports, strconv.Itoa(c.Reports)))
	}
	for i := 0; i < len(fields); i += maxFields {
		blocks = append(blocks, slackapi.NewSectionBlock(nil, fields[i:min(i+maxFields, len(fields))], nil))
	}
	for _, f := range c.Fields {
		value := escape(f.Value)
		if len(f.Rich) > 0 {
			value = rich(f.Rich)
		}
		text := "*" + escape(f.Label) + "*\n" + value
		blocks = append(blocks, slackapi.NewSectionBlock(mrkdwn(truncate(text, maxSection)), nil, nil))
	}
	if el := cardActionElements(c); len(el) > 0 {
		blocks = append(blocks, slackapi.NewActionBlock("actions", el...))
	}
	return blocks
}

// dueText is a deadline and, when it has passed, says so in the card's
// language.
func dueText(due, now time.Time, overdue string) string {
	s := slackTime(due)
	if !now.IsZero() && now.After(due) {
		s += " — *" + escape(overdue) + "*"
	}
	return s
}

func cardActionElements(c *intake.Card) []slackapi.BlockElement {
	var el []slackapi.BlockElement
	for _, b := range c.Actions {
		btn := slackapi.NewButtonBlockElement(actionPrefix+b.Action, string(c.IncidentID), plain(truncate(b.Label, 75)))
		switch b.Action {
		case "claim", "resolve":
			btn.Style = slackapi.StylePrimary
		}
		el = append(el, btn)
		if b.Action == "escalate" && len(c.EscalateTo) > 0 {
			opts := make([]*slackapi.OptionBlockObject, 0, len(c.EscalateTo))
			for _, t := range c.EscalateTo {
				opts = append(opts, slackapi.NewOptionBlockObject(string(t), plain(truncate(string(t), 75)), nil))
			}
			el = append(el, slackapi.NewOptionsSelectBlockElement(slackapi.OptTypeStatic,
				plain(c.LabelsOrEnglish().EscalateTo), actionEscalateTo, opts...))
		}
	}
	return el
}

// buttonBlocks renders a reply with customer choices such as "did that
// solve it?"; text is already escaped.
func buttonBlocks(text string, r *intake.Reply) []slackapi.Block {
	el := make([]slackapi.BlockElement, 0, len(r.Buttons))
	for _, b := range r.Buttons {
		el = append(el, slackapi.NewButtonBlockElement(actionPrefix+b.Action, string(r.IncidentID), plain(truncate(b.Label, 75))))
	}
	blocks := []slackapi.Block{}
	if text != "" {
		blocks = append(blocks, slackapi.NewSectionBlock(mrkdwn(truncate(text, maxSection)), nil, nil))
	}
	return append(blocks, slackapi.NewActionBlock("choices", el...))
}
