package slack

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack/slackevents"

	"github.com/intake-support/intake"
)

// outerEvent is the Events API envelope. slackevents.ParseEvent drops
// event_id, which retries are recognised by, so the envelope is read here.
type outerEvent struct {
	Type      string          `json:"type"`
	Challenge string          `json:"challenge"`
	EventID   string          `json:"event_id"`
	EventTime int64           `json:"event_time"`
	Event     json.RawMessage `json:"event"`
}

// handleEventCallback turns one event_callback into at most one inbox
// message. It returns nil when the event is stored or deliberately ignored;
// only then may it be acknowledged.
func (a *Adapter) handleEventCallback(ctx context.Context, ev outerEvent) error {
	if ev.EventID != "" && a.seen.has("event:"+ev.EventID) {
		return nil
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(ev.Event, &head); err != nil {
		a.log.Warn("undecodable event ignored", "event_id", ev.EventID, "err", err)
		return nil
	}
	if head.Type != "message" {
		return nil
	}
	var m slackevents.MessageEvent
	if err := json.Unmarshal(ev.Event, &m); err != nil {
		a.log.Warn("undecodable message event ignored", "event_id", ev.EventID, "err", err)
		return nil
	}
	msg := a.normalize(ctx, &m)
	if msg == nil {
		a.seen.add("event:" + ev.EventID)
		return nil
	}
	if err := a.accept(ctx, msg); err != nil {
		return err
	}
	a.seen.add("event:" + ev.EventID)
	a.log.Debug("message accepted", "id", msg.ID, "from_agent", msg.FromAgent)
	return nil
}

// normalize returns the intake message for m, or nil when m is not for
// intake: edits, deletions, bots (ourselves included), and messages outside
// intake channels, DMs and agents' card threads.
func (a *Adapter) normalize(ctx context.Context, m *slackevents.MessageEvent) *intake.Message {
	switch m.SubType {
	case "", "thread_broadcast", "file_share":
	default:
		return nil
	}
	if m.BotID != "" || m.User == "" || m.User == a.botUserID() || m.Channel == "" || m.TimeStamp == "" {
		return nil
	}
	thread := m.ThreadTimeStamp
	if thread == "" {
		thread = m.TimeStamp
	}
	msg := &intake.Message{
		ID:           intake.MessageID(m.Channel + ":" + m.TimeStamp),
		Channel:      intake.ChannelSlack,
		Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: m.Channel, Thread: thread},
		Text:         m.Text,
		ThreadKeys:   []intake.ThreadKey{intake.ChatThreadKey(intake.ChannelSlack, m.Channel+":"+thread)},
		ReceivedAt:   a.received(m.TimeStamp),
	}
	switch {
	case m.ChannelType == "im" || a.intake[m.Channel]:
	case m.ThreadTimeStamp != "" && a.agents.is(ctx, m.User):
		// An agent answering in a card's thread; a leading NotePrefix is
		// kept for the escalation code to tell notes from answers.
		msg.FromAgent = true
	default:
		return nil
	}
	msg.From = intake.Customer{Channel: intake.ChannelSlack, ID: m.User, Name: a.userName(ctx, m.User), Verified: true}
	return msg
}

// received turns a Slack ts ("1700000000.000100") into a time, falling
// back to the clock.
func (a *Adapter) received(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s <= 0 {
		return a.opts.now().UTC()
	}
	us, err := strconv.ParseInt(frac, 10, 64)
	if err != nil || len(frac) != 6 {
		us = 0
	}
	return time.Unix(s, us*1000).UTC()
}

// userName looks the user's display name up, briefly: the name is a
// courtesy and the event must be acknowledged within 3 s.
func (a *Adapter) userName(ctx context.Context, id string) string {
	if name, ok := a.names.get(id); ok {
		return name
	}
	ctx, cancel := context.WithTimeout(ctx, 700*time.Millisecond)
	defer cancel()
	u, err := a.api.GetUserInfoContext(ctx, id)
	if err != nil {
		a.log.Debug("users.info", "user", id, "err", err)
		return ""
	}
	name := u.Profile.DisplayName
	if name == "" {
		name = u.RealName
	}
	if name == "" {
		name = u.Name
	}
	a.names.put(id, name)
	return name
}
