package main

import (
	"net/mail"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels/web"
	"github.com/intake-support/intake/triage"
)

// wireWeb builds the web desk when the configuration turns it on and mounts
// its pages and JSON actions on the HTTP listener.
func (m *Main) wireWeb(k *triage.KB, c *triage.Classifier) error {
	if !m.Config.Web.Enabled {
		return nil
	}
	articles := make([]web.Article, 0, len(k.Articles))
	for _, a := range k.Articles {
		articles = append(articles, web.Article{ID: a.ID, Category: a.Category, Title: a.TitleIn("en")})
	}
	route := func(text, from string) (web.RouteResult, error) {
		sender := intake.Customer{Channel: intake.ChannelEmail, ID: from}
		if _, err := mail.ParseAddress(from); from != "" && err != nil {
			sender.Channel = intake.ChannelSlack // a chat user ID
		}
		d, explain, err := decide(m.Config, c, text, sender)
		if err != nil {
			return web.RouteResult{}, err
		}
		return web.RouteResult{Language: d.Language, Category: d.Category, Confidence: d.Confidence, Article: d.Article,
			Missing: d.Missing, Action: d.Action, Reason: d.Reason, Tier: d.Tier, Rule: d.Rule, Explain: explain}, nil
	}
	a, err := web.New(m.Config, web.Options{Store: m.Store, Inbox: m.Worker.Inbox(), Card: m.Desk.Card, Route: route,
		Articles: func() []web.Article { return articles }, Logger: m.Logger, Clock: time.Now})
	if err != nil {
		return err
	}
	for pattern, h := range a.Handlers() {
		m.HTTP.Handle(pattern, h)
	}
	m.Adapters[a.Channel()] = a
	m.web = a
	return nil
}
