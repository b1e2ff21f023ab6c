package escalation_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/escalation"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// routingRules has one rule per kind of condition, in an order where each
// case below is caught by the rule it is about.
const routingRules = `
vip: {emails: [boss@client.example], slack_users: [UVIP]}
routing:
  - {name: by-category, when: {category: [onsite]}, tier: L4}
  - {name: by-language, when: {language: [fr]}, tier: L5}
  - {name: by-language-not, when: {language_not: [es, en, fr]}, tier: L5}
  - {name: by-channel, when: {channel: [discord]}, tier: L3}
  - {name: by-from-domain, when: {from_domain: [bigcorp.example]}, tier: L3}
  - {name: by-keywords, when: {keywords: ["caída total", urgente]}, tier: L3}
  - {name: by-regex, when: {regex: "(?i)error 5[0-9][0-9]"}, tier: L3}
  - {name: by-min-confidence, when: {category: [database], min_confidence: 0.9}, tier: L3}
  - {name: by-max-confidence, when: {max_confidence: 0.2}, tier: L5}
  - {name: by-vip, when: {vip: true}, tier: L3}
  - {name: by-after-hours, when: {category: [server], business_hours: false}, tier: L3}
  - {name: by-business-hours, when: {category: [server], business_hours: true}, tier: L2}
`

// routingConfig is baseConfig with routingRules, agents reading languages[0].
func routingConfig(t *testing.T, languages ...string) *config.Config {
	t.Helper()
	src := fmt.Sprintf(baseConfig, t.TempDir())
	src = src[:strings.Index(src, "routing:")] + routingRules
	cfg, err := config.Parse("routing.yaml", []byte(src), nil)
	if err != nil {
		t.Fatalf("config.Parse = %v", err)
	}
	cfg.Triage.Languages = languages
	return cfg
}

// TestRouteGolden: the explanations in the golden files are an English
// desk's.
func TestRouteGolden(t *testing.T) {
	r, err := escalation.NewRouter(routingConfig(t, "en", "es"))
	if err != nil {
		t.Fatalf("NewRouter = %v", err)
	}
	email := func(addr string) intake.Customer { return intake.Customer{Channel: intake.ChannelEmail, ID: addr} }
	monday := mexico(t, "2026-11-23 10:00")
	base := escalation.RouteInput{Category: "network", Language: "es", Confidence: 0.5, Channel: intake.ChannelEmail,
		Sender: email("ana@client.example"), Subject: "Sin conexión", Text: "no tengo internet", Time: monday}
	with := func(f func(*escalation.RouteInput)) escalation.RouteInput { in := base; f(&in); return in }
	tests := []struct {
		name string
		in   escalation.RouteInput
	}{
		{"category", with(func(in *escalation.RouteInput) { in.Category = "onsite" })},
		{"language", with(func(in *escalation.RouteInput) { in.Language = "fr" })},
		{"language_not", with(func(in *escalation.RouteInput) { in.Language = "pt" })},
		{"channel", with(func(in *escalation.RouteInput) {
			in.Channel, in.Sender = intake.ChannelDiscord, intake.Customer{Channel: intake.ChannelDiscord, ID: "42"}
		})},
		{"from_domain_subdomain", with(func(in *escalation.RouteInput) { in.Sender = email("Luis@Mx.BigCorp.example") })},
		{"from_domain_lookalike", with(func(in *escalation.RouteInput) { in.Sender = email("x@notbigcorp.example") })},
		{"keywords_accents_and_case", with(func(in *escalation.RouteInput) { in.Text = "Hay una CAIDA TOTAL del sistema" })},
		{"keywords_whole_words_only", with(func(in *escalation.RouteInput) { in.Text = "no es urgentemente" })},
		{"regex", with(func(in *escalation.RouteInput) { in.Text = "la página da ERROR 503" })},
		{"min_confidence_met", with(func(in *escalation.RouteInput) { in.Category, in.Confidence = "database", 0.95 })},
		{"min_confidence_not_met", with(func(in *escalation.RouteInput) { in.Category, in.Confidence = "database", 0.6 })},
		{"max_confidence", with(func(in *escalation.RouteInput) { in.Confidence = 0.1 })},
		{"vip_email", with(func(in *escalation.RouteInput) { in.Sender = email("BOSS@client.example") })},
		{"vip_slack", with(func(in *escalation.RouteInput) {
			in.Channel, in.Sender = intake.ChannelSlack, intake.Customer{Channel: intake.ChannelSlack, ID: "UVIP"}
		})},
		{"business_hours_false", with(func(in *escalation.RouteInput) { in.Category, in.Time = "server", mexico(t, "2026-11-28 10:00") })},
		{"business_hours_true", with(func(in *escalation.RouteInput) { in.Category = "server" })},
		{"holiday_is_outside_hours", with(func(in *escalation.RouteInput) { in.Category, in.Time = "server", mexico(t, "2026-12-25 10:00") })},
		{"no_rule_first_tier", base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.MarshalIndent(struct {
				Input    escalation.RouteInput `json:"input"`
				Decision escalation.Decision   `json:"decision"`
			}{tt.in, r.Route(tt.in)}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "route", tt.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Route(%s) =\n%s\nwant\n%s", tt.name, got, want)
			}
		})
	}
}

// TestRouteExplainsInSpanish: a Spanish desk reads why each rule was skipped
// in Spanish.
func TestRouteExplainsInSpanish(t *testing.T) {
	r, err := escalation.NewRouter(routingConfig(t, "es", "en"))
	if err != nil {
		t.Fatalf("NewRouter = %v", err)
	}
	d := r.Route(escalation.RouteInput{Category: "network", Language: "es", Confidence: 0.5, Channel: intake.ChannelEmail,
		Sender: intake.Customer{Channel: intake.ChannelEmail, ID: "ana@client.example"}, Time: mexico(t, "2026-11-23 10:00")})
	want := []string{
		`regla "by-category": la categoría "network" no está en [onsite]`,
		`regla "by-language": el idioma "es" no está en [fr]`,
		`regla "by-language-not": el idioma "es" está en language_not [es en fr]`,
	}
	if len(d.Explain) < len(want)+1 || !slices.Equal(d.Explain[:len(want)], want) || d.Explain[len(d.Explain)-1] != "ninguna regla coincidió: primer nivel" {
		t.Errorf("Explain = %q, want it to start with %q and end with the first tier", d.Explain, want)
	}
}
