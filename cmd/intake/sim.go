package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/escalation"
	"github.com/intake-support/intake/store/bolt"
	"github.com/intake-support/intake/triage"
)

// sim holds one conversation with the real Level I bot, desk and worker on a
// throw-away store and a simulated clock, sending nothing: `intake chat` and
// `intake test` drive it.
type sim struct {
	store    *bolt.Store
	worker   *channels.Worker
	timers   *channels.TimerRunner
	clock    *simClock
	channel  intake.Channel
	lang     string
	customer intake.Customer
	thread   intake.ThreadKey
	seq      int
	incident intake.IncidentID
	seen     int // timeline events already reported
}

// simClock is the simulated time: it moves only when the conversation waits.
type simClock struct{ now time.Time }

func (c *simClock) Now() time.Time { return c.now }

// turn is what one customer message or one wait led to.
type turn struct {
	Replies  []intake.Reply // to the customer
	Agents   []intake.Reply // cards and notes for the agents' channels
	Changes  []string       // status changes, "triage -> awaiting_customer"
	Incident *intake.Incident
}

// directInbox hands a message straight to the worker: the simulation has
// no background loops.
type directInbox struct{ w *channels.Worker }

func (in directInbox) Accept(ctx context.Context, msg *intake.Message) error {
	return in.w.Process(ctx, msg)
}

// newSim builds the desk of cfg and a worker around bot on a store in dir;
// clk is the clock bot was built with, set to the time the conversation
// starts.
func newSim(cfg *config.Config, bot *triage.Bot, clk *simClock, dir string, channel intake.Channel, lang string) (*sim, error) {
	st, err := bolt.Open(filepath.Join(dir, "sim.db"))
	if err != nil {
		return nil, fmt.Errorf("simulation store: %w", err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	w := &channels.Worker{Store: st, Logger: quiet, Clock: clk.Now}
	w.Notices = directInbox{w}
	desk := escalation.New(cfg, channels.Incidents{Store: st}, escalation.WithLogger(quiet), escalation.WithClock(clk.Now))
	w.Humans = desk
	w.LevelOne = triage.NewLevelOne(bot)
	id := "customer@example.org"
	if channel != intake.ChannelEmail {
		id = "U0CUSTOMER"
	}
	s := &sim{store: st, worker: w, clock: clk, channel: channel, lang: lang,
		customer: intake.Customer{Channel: channel, ID: id, Verified: true},
		thread:   intake.ChatThreadKey(channel, "intake-chat")}
	s.timers = &channels.TimerRunner{Store: st, Inbox: directInbox{w}, Clock: clk.Now, Logger: quiet}
	return s, nil
}

// close removes nothing (the caller owns dir) but releases the store.
func (s *sim) close() error { return s.store.Close() }

// say delivers one customer message and reports what followed.
func (s *sim) say(ctx context.Context, text string) (turn, error) {
	s.seq++
	s.clock.now = s.clock.now.Add(time.Minute)
	msg := &intake.Message{
		ID:           intake.MessageID(fmt.Sprintf("chat-%d", s.seq)),
		Channel:      s.channel,
		From:         s.customer,
		Conversation: intake.Conversation{Channel: s.channel, Address: s.customer.ID, Subject: "intake chat"},
		Text:         text,
		Language:     s.lang,
		ThreadKeys:   []intake.ThreadKey{s.thread},
		ReceivedAt:   s.clock.now,
	}
	if err := s.worker.Process(ctx, msg); err != nil {
		return turn{}, err
	}
	return s.report(ctx)
}

// wait moves the clock on by d and fires the timers due by then.
func (s *sim) wait(ctx context.Context, d time.Duration) (turn, error) {
	s.clock.now = s.clock.now.Add(d)
	if _, err := s.timers.FireDue(ctx); err != nil {
		return turn{}, err
	}
	return s.report(ctx)
}

// report collects the timeline events added since the last report.
func (s *sim) report(ctx context.Context) (turn, error) {
	if s.incident == "" {
		id, err := s.store.LookupThread(ctx, s.thread)
		if err != nil {
			return turn{}, fmt.Errorf("find the conversation's incident: %w", err)
		}
		s.incident = id
	}
	inc, err := s.store.GetIncident(ctx, s.incident)
	if err != nil {
		return turn{}, err
	}
	t := turn{Incident: inc}
	for _, e := range inc.Timeline[min(s.seen, len(inc.Timeline)):] {
		switch {
		case e.Kind == intake.EventStatus:
			t.Changes = append(t.Changes, fmt.Sprintf("%s -> %s", e.From, e.To))
		case e.Kind == intake.EventReply && e.Reply != nil && e.Reply.Conversation.Channel == s.channel && e.Reply.Conversation.Address == s.customer.ID:
			t.Replies = append(t.Replies, *e.Reply)
		case e.Kind == intake.EventReply && e.Reply != nil:
			t.Agents = append(t.Agents, *e.Reply)
		}
	}
	s.seen = len(inc.Timeline)
	return t, nil
}

// botState is the part of the bot's memory a story checks.
type botState struct {
	Step    string   `json:"step"`
	Article string   `json:"article"`
	Tried   []string `json:"tried"`
}

// action names what the bot did in a turn, as stories expect it: answer
// (an article and "did that solve it?"), ask (a question), escalate (a
// person has it), close (out of scope or no reply), resolve, or none.
func (t turn) action() string {
	inc := t.Incident
	switch inc.Status {
	case intake.StatusEscalated, intake.StatusClaimed:
		return "escalate"
	case intake.StatusClosed:
		return "close"
	case intake.StatusResolved:
		return "resolve"
	case intake.StatusAwaitingCustomer:
		for _, r := range t.Replies {
			if len(r.Buttons) > 0 {
				return "answer"
			}
		}
		if len(t.Replies) > 0 {
			return "ask"
		}
	}
	return "none"
}

// article is the article the bot answered with or offered last.
func (t turn) article() string {
	var st botState
	if json.Unmarshal(t.Incident.Triage, &st) != nil {
		return ""
	}
	if t.action() == "answer" {
		return st.Article
	}
	return ""
}

// tempDir makes the simulation's folder.
func tempDir() (string, error) { return os.MkdirTemp("", "intake-sim-") }
