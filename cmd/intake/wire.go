package main

import (
	"context"
	"fmt"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/discord"
	"github.com/intake-support/intake/channels/email"
	"github.com/intake-support/intake/channels/slack"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/escalation"
	"github.com/intake-support/intake/triage"
	"github.com/intake-support/intake/triage/lang"
)

// wire builds Level I, the human side and the channel adapters the
// configuration switches on.
func (m *Main) wire(ctx context.Context) error {
	k, err := loadKB(m.Config)
	if err != nil {
		return err
	}
	bot, err := triage.New(k, m.Config.Triage)
	if err != nil {
		return fmt.Errorf("triage: %w", err)
	}
	m.levelOne = triage.NewLevelOne(bot)
	m.Desk = escalation.New(m.Config, channels.Incidents{Store: m.Store}, escalation.WithLogger(m.Logger),
		escalation.WithMetrics(m.Ops))
	m.Worker.Humans = m.Desk
	m.Worker.LevelOne = m.Ops.TimeLevelOne(m.levelOne, time.Now)
	m.Adapters = map[intake.Channel]channels.Adapter{}
	if ec := m.Config.Channels.Email; ec.Enabled() {
		detector := lang.New()
		opts := []email.Option{email.WithLanguageDetector(func(s string) string { return detector.Detect(s).Lang }),
			email.WithLeaseHolder(m.Config.Instance)}
		if m.Config.Store.Kind == config.StoreBolt {
			// The embedded store has one writer; the listener's own journal
			// spares it several writes per mail (see email.WithJournal).
			opts = append(opts, email.WithJournal(m.Config.Store.Path+".smtp-journal"))
		}
		a, err := email.New(ec, m.Store, m.Logger, opts...)
		if err != nil {
			return fmt.Errorf("email: %w", err)
		}
		m.Adapters[a.Channel()] = a
	}
	if sc := m.Config.Channels.Slack; sc.Enabled() {
		a, err := slack.New(sc, m.Logger)
		if err != nil {
			return fmt.Errorf("slack: %w", err)
		}
		m.Adapters[a.Channel()] = a
		if !sc.SocketMode() {
			for path, h := range a.Handlers() {
				m.HTTP.Handle("POST "+path, h)
			}
		}
	}
	if d := m.Config.Channels.Discord; d.Enabled() {
		a, err := discord.New(discord.Config{Token: d.Token, IntakeChannels: d.IntakeChannels, APIURL: d.APIURL, GatewayURL: d.GatewayURL}, m.Logger)
		if err != nil {
			return fmt.Errorf("discord: %w", err)
		}
		m.Adapters[a.Channel()] = a
	}
	return m.wireWeb(k, bot.Classifier())
}

// decide is the full decision of `intake route`: Level I's, and for an
// escalation the tier the routing rules pick, with why the rules before it
// did not match.
func decide(cfg *config.Config, c *triage.Classifier, text string, sender intake.Customer) (triage.Decision, []string, error) {
	d := c.Route(text)
	if d.Action != triage.ActionEscalate {
		return d, nil, nil
	}
	router, err := escalation.NewRouter(cfg)
	if err != nil {
		return d, nil, err
	}
	r := router.Route(escalation.RouteInput{Category: d.Category, Language: d.Language, Confidence: d.Confidence,
		Channel: sender.Channel, Sender: sender, Text: text, Time: time.Now(), Urgent: d.Reason == "urgent"})
	d.Tier, d.Rule = string(r.Tier), r.Rule
	return d, r.Explain, nil
}
