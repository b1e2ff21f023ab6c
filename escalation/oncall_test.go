package escalation_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

// TestUrgentOnCallAndOneConsistentAck: an urgent incident pages the on-call
// target that covers the moment, and the customer is told either "alerted
// now" or "queued until <opening>", never both.
func TestUrgentOnCallAndOneConsistentAck(t *testing.T) {
	const global = "on_call: {slack_channel: C0ONCALL, mention: S0ONCALL, hours: %s}\n"
	tests := []struct {
		name, extra, when, lang, category string
		wantAlert                         string // channel alerted, "" for none
		wantAck, notAck                   []string
	}{
		{"urgent on saturday, on call always", fmt.Sprintf(global, "always"), "2026-11-28 23:00", "es", "outage",
			"C0ONCALL", []string{"INC-000001", "urgente, ya avisamos al equipo"}, []string{"fuera de horario", "lunes"}},
		{"urgent on saturday, nobody on call", "", "2026-11-28 23:00", "es", "outage",
			"", []string{"fuera de horario", "lunes 30/11 a las 08:00", "marcamos como urgente"}, []string{"ya avisamos"}},
		{"urgent in business hours, on call off hours", fmt.Sprintf(global, "off_hours"), "2026-11-23 10:00", "es", "outage",
			"", []string{"urgente, ya avisamos al equipo"}, []string{"fuera de horario"}},
		{"urgent at night, on call off hours, english", fmt.Sprintf(global, "off_hours"), "2026-11-24 22:00", "en", "outage",
			"C0ONCALL", []string{"the team has been alerted now"}, []string{"outside business hours", "Tuesday"}},
		{"urgent on sunday, weekend window", fmt.Sprintf(global, `{days: [sat, sun], from: "08:00", to: "20:00"}`), "2026-11-29 12:00", "es", "outage",
			"C0ONCALL", []string{"ya avisamos"}, []string{"fuera de horario"}},
		{"urgent on sunday night, outside the weekend window", fmt.Sprintf(global, `{days: [sat, sun], from: "08:00", to: "20:00"}`), "2026-11-29 21:00", "es", "outage",
			"", []string{"lunes 30/11 a las 08:00"}, []string{"ya avisamos"}},
		{"not urgent on saturday, on call always", fmt.Sprintf(global, "always"), "2026-11-28 23:00", "es", "network",
			"", []string{"fuera de horario", "lunes 30/11 a las 08:00"}, []string{"ya avisamos", "urgente"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.extra, mexico(t, tt.when))
			msg := e.customer("ana@client.example", tt.lang, tt.category, "Se cayó el sistema de facturación")
			inc := e.incident(inc1)
			replies := repliesTo(inc, msg)
			var alerts []intake.Reply
			for _, r := range replies {
				if r.Conversation.Address == "C0ONCALL" {
					alerts = append(alerts, r)
				}
			}
			switch {
			case tt.wantAlert == "" && len(alerts) > 0:
				t.Errorf("on-call alerts = %+v, want none", alerts)
			case tt.wantAlert != "" && len(alerts) != 1:
				t.Errorf("%d on-call alerts, want 1 in %s; replies %+v", len(alerts), tt.wantAlert, replies)
			case tt.wantAlert != "":
				a := alerts[0]
				if s := slackish(a.Rich); !strings.Contains(s, "<!subteam^S0ONCALL>") || !strings.Contains(s, "INC-000001") ||
					!strings.Contains(s, "<#C0L2>") || strings.Contains(s, "facturación") || strings.Contains(a.Text, "facturación") {
					t.Errorf("on-call alert = %+v, want a mention of S0ONCALL naming INC-000001 and <#C0L2>, no customer text", a)
				}
			}
			ack := find(t, replies, "customer ack", func(r intake.Reply) bool { return r.Conversation.Channel == intake.ChannelEmail })
			for _, w := range tt.wantAck {
				if !strings.Contains(ack.Text, w) {
					t.Errorf("ack = %q, want it to contain %q", ack.Text, w)
				}
			}
			for _, w := range tt.notAck {
				if strings.Contains(ack.Text, w) {
					t.Errorf("ack = %q, want it not to contain %q", ack.Text, w)
				}
			}
		})
	}
}

// TestTierOnCallBeforeGlobal: a tier's own on-call target is paged when it
// covers the moment; otherwise the desk-wide one.
func TestTierOnCallBeforeGlobal(t *testing.T) {
	src := strings.Replace(fmt.Sprintf(baseConfig, t.TempDir()),
		`next: L3,`, `next: L3, on_call: {slack_channel: C0L2ONCALL, mention: U0ANA, hours: business},`, 1) +
		"on_call: {slack_channel: C0ONCALL, mention: here}\n"
	cfg, err := config.Parse("test.yaml", []byte(src), nil)
	if err != nil {
		t.Fatalf("config.Parse = %v", err)
	}
	tests := []struct{ when, wantChannel, wantMention string }{
		{"2026-11-23 10:00", "C0L2ONCALL", "<@U0ANA>"},
		{"2026-11-28 10:00", "C0ONCALL", "<!here>"},
	}
	for _, tt := range tests {
		e := newEnvWith(t, cfg, mexico(t, tt.when))
		msg := e.customer("ana@client.example", "es", "outage", "No hay sistema")
		alert := find(t, repliesTo(e.incident(inc1), msg), "on-call alert", func(r intake.Reply) bool { return len(r.Rich) > 0 && r.ThreadOf == "" })
		if got := slackish(alert.Rich); alert.Conversation.Address != tt.wantChannel || !strings.HasPrefix(got, tt.wantMention) {
			t.Errorf("alert at %s = %q in %s, want %s in %s", tt.when, got, alert.Conversation.Address, tt.wantMention, tt.wantChannel)
		}
	}
}

// TestTierNamePerLanguage: customers read the tier's name in their
// language; the card shows it in the desk's (the first triage language).
func TestTierNamePerLanguage(t *testing.T) {
	src := strings.NewReplacer(`name: "Nivel II"`, `name: {es: "Nivel II", en: "Tier II"}`,
		`name: "Nivel V"`, `name: {es: "Nivel V", en: "Tier V"}`).Replace(fmt.Sprintf(baseConfig, t.TempDir()))
	cfg, err := config.Parse("test.yaml", []byte(src), nil)
	if err != nil {
		t.Fatalf("config.Parse = %v", err)
	}
	tests := []struct{ lang, wantAck, notAck, wantCard string }{
		{"en", "(Tier II)", "Nivel II", "Nivel II"},
		{"es", "(Nivel II)", "Tier II", "Nivel II"},
		{"pt", "(Tier V)", "", "Nivel V"}, // routed to tier V; both texts, each with its own name
	}
	for _, tt := range tests {
		e := newEnvWith(t, cfg, mexico(t, "2026-11-23 10:00"))
		msg := e.customer("ana@client.example", tt.lang, "network", "VPN")
		inc := e.incident(inc1)
		replies := repliesTo(inc, msg)
		ack := find(t, replies, "customer ack", func(r intake.Reply) bool { return r.Conversation.Channel == intake.ChannelEmail })
		if !strings.Contains(ack.Text, tt.wantAck) || (tt.notAck != "" && strings.Contains(ack.Text, tt.notAck)) {
			t.Errorf("ack in %s = %q, want %q and not %q", tt.lang, ack.Text, tt.wantAck, tt.notAck)
		}
		if tt.lang == "pt" && !strings.Contains(ack.Text, "(Nivel V)") {
			t.Errorf("bilingual ack = %q, want the Spanish text to name Nivel V", ack.Text)
		}
		card := find(t, replies, "card", func(r intake.Reply) bool { return r.Card != nil })
		if card.Card.TierName != tt.wantCard {
			t.Errorf("card tier name for a %s customer = %q, want the desk's %q", tt.lang, card.Card.TierName, tt.wantCard)
		}
	}
}
