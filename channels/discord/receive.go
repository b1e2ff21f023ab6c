package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
)

// receiver turns gateway events into inbox messages for one Run.
type receiver struct {
	a            *Adapter
	inbox        channels.Inbox
	messages     *queue[*discordgo.Message]
	interactions *queue[*discordgo.Interaction]
	disconnected chan struct{}
	workers      sync.WaitGroup

	mu      sync.Mutex
	session bool // a READY was received: discordgo resumes from now on
	prepaid bool // the next READY was paid for by the IDENTIFY guard
}

func newReceiver(a *Adapter, inbox channels.Inbox) *receiver {
	return &receiver{
		a:            a,
		inbox:        inbox,
		messages:     newQueue[*discordgo.Message](),
		interactions: newQueue[*discordgo.Interaction](),
		disconnected: make(chan struct{}, 1),
	}
}

// register adds the event handlers to s and returns a function removing them.
// With SyncEvents they run in discordgo's read loop, so they only queue.
func (r *receiver) register(s *discordgo.Session) func() {
	removes := []func(){
		s.AddHandler(func(_ *discordgo.Session, ev *discordgo.Ready) { r.onReady(ev) }),
		s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
			r.a.log.Info("discord gateway resumed")
		}),
		s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
			select {
			case r.disconnected <- struct{}{}:
			default:
			}
		}),
		s.AddHandler(func(_ *discordgo.Session, ev *discordgo.MessageCreate) {
			if ev.Message != nil {
				r.messages.push(ev.Message)
			}
		}),
		s.AddHandler(func(_ *discordgo.Session, ev *discordgo.InteractionCreate) {
			if ev.Interaction != nil {
				r.interactions.push(ev.Interaction)
			}
		}),
	}
	return func() {
		for _, rm := range removes {
			rm()
		}
	}
}

func (r *receiver) onReady(ev *discordgo.Ready) {
	if ev.User != nil {
		r.a.setSelf(ev.User.ID)
	}
	r.mu.Lock()
	r.session = true
	paid := r.prepaid
	r.prepaid = false
	r.mu.Unlock()
	if !paid {
		// discordgo identified on its own (op 9 after a RESUME).
		r.a.guard.charge(r.a.opts.now())
	}
	r.a.log.Info("discord gateway ready", "new_session", true)
}

func (r *receiver) hadSession() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.session
}

func (r *receiver) setPrepaid(v bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prepaid = v
}

func (r *receiver) drainDisconnects() {
	select {
	case <-r.disconnected:
	default:
	}
}

// work handles queued messages and interactions until ctx is done. Messages
// are handled one at a time, in gateway order; interactions have a worker of
// their own since Discord wants them answered within three seconds.
func (r *receiver) work(ctx context.Context) {
	r.workers.Add(1)
	go func() {
		defer r.workers.Done()
		for {
			i, ok := r.interactions.pop(ctx)
			if !ok {
				return
			}
			r.handleInteraction(ctx, i)
		}
	}()
	for {
		m, ok := r.messages.pop(ctx)
		if !ok {
			return
		}
		r.handleMessage(ctx, m)
	}
}

func (r *receiver) waitInteractions() { r.workers.Wait() }

// handleMessage normalizes m and hands it to the inbox; messages by bots
// (this one included) and system messages are ignored.
func (r *receiver) handleMessage(ctx context.Context, m *discordgo.Message) {
	if m.Author == nil || m.Author.Bot || m.Author.ID == r.a.self() {
		return
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return
	}
	if m.ID == "" || m.ChannelID == "" || m.Author.ID == "" {
		// Nothing to answer to, no customer, or no way to tell a replay
		// from the original.
		r.a.log.Warn("discord message without an ID, a channel or an author ID ignored", "message_id", m.ID, "channel_id", m.ChannelID)
		return
	}
	key := "m:" + m.ID
	if r.a.seen.has(key) {
		r.a.log.Debug("discord duplicate message dropped", "message_id", m.ID)
		return
	}
	msg, err := r.normalize(ctx, m)
	if err != nil {
		r.a.log.Error("discord message lost", "message_id", m.ID, "channel_id", m.ChannelID, "err", err)
		return
	}
	if msg == nil {
		return
	}
	if err := r.accept(ctx, msg); err != nil {
		r.a.log.Error("discord message not stored", "message_id", m.ID, "err", err)
		return
	}
	r.a.seen.add(key)
	r.a.log.Info("discord message accepted", "message_id", m.ID, "conversation", msg.Conversation.Address)
}

// normalize builds the intake message for m, opening a thread for a new
// request; it returns nil for a message outside the intake channels.
func (r *receiver) normalize(ctx context.Context, m *discordgo.Message) (*intake.Message, error) {
	var key intake.ThreadKey
	var address string
	switch {
	case m.GuildID == "":
		// One conversation per user, whatever DM channel it comes through.
		key, address = intake.ChatThreadKey(intake.ChannelDiscord, "dm:"+m.Author.ID), m.ChannelID
	case r.a.intake[m.ChannelID]:
		// Without a thread the answer goes to the channel, but the key stays
		// the message's own (a thread from it would have its ID), so that
		// requests do not merge into one incident per channel.
		thread, ok := r.openThread(ctx, m)
		key, address = intake.ChatThreadKey(intake.ChannelDiscord, thread), thread
		if !ok {
			key, address = intake.ChatThreadKey(intake.ChannelDiscord, m.ID), m.ChannelID
		}
	default:
		ci, err := r.channelInfo(ctx, m.ChannelID)
		if err != nil {
			return nil, err
		}
		if !ci.thread || !r.a.intake[ci.parent] {
			return nil, nil
		}
		key, address = intake.ChatThreadKey(intake.ChannelDiscord, m.ChannelID), m.ChannelID
	}
	msg := &intake.Message{
		ID:      intake.MessageID(m.ID),
		Channel: intake.ChannelDiscord,
		From: intake.Customer{Channel: intake.ChannelDiscord, ID: m.Author.ID,
			Name: m.Author.DisplayName(), Verified: true},
		Conversation: intake.Conversation{Channel: intake.ChannelDiscord, Address: address},
		Text:         m.ContentWithMentionsReplaced(),
		ThreadKeys:   []intake.ThreadKey{key},
		ReceivedAt:   m.Timestamp,
	}
	if msg.ReceivedAt.IsZero() {
		msg.ReceivedAt = r.a.opts.now()
	}
	for _, at := range m.Attachments {
		if at != nil {
			msg.Attachments = append(msg.Attachments, intake.Attachment{Name: at.Filename, Type: at.ContentType, Size: int64(at.Size)})
		}
	}
	return msg, nil
}

// openThread starts a thread on m and returns its ID, or false if Discord
// refuses. A thread started from a message has the message's ID, so a
// replayed message whose thread exists (code 160004) still finds it.
func (r *receiver) openThread(ctx context.Context, m *discordgo.Message) (string, bool) {
	start := &discordgo.ThreadStart{Name: threadName(m), AutoArchiveDuration: 10080}
	var th *discordgo.Channel
	err := retry(ctx, r.a.opts.acceptTries, func() error {
		var err error
		th, err = r.a.session.MessageThreadStartComplex(m.ChannelID, m.ID, start, discordgo.WithContext(ctx))
		return classify(err)
	})
	var re *discordgo.RESTError
	switch {
	case err == nil && th != nil:
		r.a.channels.put(th.ID, channelInfo{thread: true, parent: m.ChannelID})
		return th.ID, true
	case errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeThreadAlreadyCreatedForThisMessage:
		r.a.channels.put(m.ID, channelInfo{thread: true, parent: m.ChannelID})
		return m.ID, true
	default:
		r.a.log.Warn("discord thread not opened; answering in the channel", "message_id", m.ID, "err", err)
		return "", false
	}
}

// threadName is the first line of the request, shortened to fit Discord's
// 100-character limit.
func threadName(m *discordgo.Message) string {
	name := strings.TrimSpace(strings.SplitN(m.Content, "\n", 2)[0])
	name = strings.Join(strings.Fields(neutralize(name)), " ")
	if r := []rune(name); len(r) > 80 {
		name = string(r[:79]) + "…"
	}
	if name == "" {
		name = "Support request"
	}
	return name
}

// channelInfo says whether channelID is a thread and of which channel.
// Channels Discord will not show the bot are remembered as unrelated.
func (r *receiver) channelInfo(ctx context.Context, channelID string) (channelInfo, error) {
	if ci, ok := r.a.channels.get(channelID); ok {
		return ci, nil
	}
	var ch *discordgo.Channel
	err := retry(ctx, r.a.opts.acceptTries, func() error {
		var err error
		ch, err = r.a.session.Channel(channelID, discordgo.WithContext(ctx))
		return classify(err)
	})
	if err != nil && !channels.IsPermanent(err) {
		return channelInfo{}, fmt.Errorf("get channel %s: %w", channelID, err)
	}
	var ci channelInfo
	if err == nil && ch != nil {
		ci = channelInfo{thread: ch.IsThread(), parent: ch.ParentID}
	}
	r.a.channels.put(channelID, ci)
	return ci, nil
}

// accept hands msg to the inbox, retrying for a while: Discord does not
// deliver a message twice, so giving up loses it.
func (r *receiver) accept(ctx context.Context, msg *intake.Message) error {
	return retry(ctx, r.a.opts.acceptTries, func() error {
		if err := r.inbox.Accept(ctx, msg); err != nil {
			r.a.log.Warn("discord inbox did not take message", "message_id", string(msg.ID), "err", err)
			return fmt.Errorf("accept %s: %w", msg.ID, err)
		}
		return nil
	})
}

// retry calls f up to tries times with growing pauses, stopping early on
// success, a Permanent error or the end of ctx; it waits out a
// *channels.RetryAfterError.
func retry(ctx context.Context, tries int, f func() error) error {
	delay := 250 * time.Millisecond
	var err error
	for i := 0; i < tries; i++ {
		if err = f(); err == nil || channels.IsPermanent(err) {
			return err
		}
		wait := delay
		var ra *channels.RetryAfterError
		if errors.As(err, &ra) && ra.After > wait {
			wait = ra.After
		}
		if i == tries-1 || !sleep(ctx, wait) {
			break
		}
		delay *= 2
	}
	return err
}
