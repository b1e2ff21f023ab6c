package channels

import (
	"testing"

	intake "github.com/intake-support/intake"
)

func TestMergePlainJoinsAHandOverAcrossTheAgentsCard(t *testing.T) {
	mail := intake.Conversation{Channel: intake.ChannelEmail, Address: "ana@example.org", Thread: "m1"}
	other := intake.Conversation{Channel: intake.ChannelEmail, Address: "bob@example.org", Thread: "m2"}
	tiers := intake.Conversation{Channel: intake.ChannelSlack, Address: "C-L2"}
	card := &intake.Card{}
	tests := []struct {
		name string
		in   []intake.Reply
		want []string // the texts sent, in order
	}{
		{"bot, card, acknowledgement",
			[]intake.Reply{{Conversation: mail, Text: "passing it on"}, {Conversation: tiers, Card: card, Text: "card"}, {Conversation: mail, Text: "your number is INC-1"}},
			[]string{"passing it on\n\nyour number is INC-1", "card"}},
		{"buttons in between keep the order",
			[]intake.Reply{{Conversation: mail, Text: "a"}, {Conversation: mail, Text: "solved?", Buttons: []intake.Button{{Action: "yes", Label: "Yes"}}}, {Conversation: mail, Text: "b"}},
			[]string{"a", "solved?", "b"}},
		{"another customer is not joined",
			[]intake.Reply{{Conversation: mail, Text: "a"}, {Conversation: other, Text: "b"}},
			[]string{"a", "b"}},
		{"an agent's reply stays apart",
			[]intake.Reply{{Conversation: mail, Text: "a"}, {Conversation: mail, Text: "b", Author: "U1"}},
			[]string{"a", "b"}},
	}
	for _, tt := range tests {
		got := mergePlain(tt.in)
		var texts []string
		for _, r := range got {
			texts = append(texts, r.Text)
		}
		if len(texts) != len(tt.want) {
			t.Errorf("%s: sent %q, want %q", tt.name, texts, tt.want)
			continue
		}
		for i := range texts {
			if texts[i] != tt.want[i] {
				t.Errorf("%s: sent %q, want %q", tt.name, texts, tt.want)
				break
			}
		}
	}
}
