package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/intake-support/intake"
)

// Action IDs of the elements the adapter puts on cards and replies; the
// part after the prefix is the intake.Message Action.
const (
	actionPrefix     = "intake:"
	actionEscalateTo = "intake:escalate_to"
	resolveCallback  = "intake:resolve"
	resolutionBlock  = "resolution"
	resolutionInput  = "resolution"
)

// Refusal is shown, ephemerally, to anyone but an agent acting on a card.
const Refusal = "Only support agents can act on incident cards."

// cardActions are the card buttons only agents may press.
var cardActions = map[string]bool{"claim": true, "release": true, "escalate": true, "resolve": true}

// customerActions are the buttons offered to customers with a reply.
var customerActions = map[string]bool{"solved": true, "not_solved": true}

// modalMeta travels in the resolve modal's private_metadata, to find the
// card again when the modal is submitted.
type modalMeta struct {
	Channel  string `json:"c"`
	TS       string `json:"t"`
	Incident string `json:"i"`
}

// handleInteraction turns a button press or modal submission into at most
// one inbox message. It returns nil when the interaction may be
// acknowledged: stored, refused, or not ours.
func (a *Adapter) handleInteraction(ctx context.Context, cb *slackapi.InteractionCallback) error {
	switch cb.Type {
	case slackapi.InteractionTypeBlockActions:
		for _, act := range cb.ActionCallback.BlockActions {
			if err := a.handleBlockAction(ctx, cb, act); err != nil {
				return err
			}
		}
		return nil
	case slackapi.InteractionTypeViewSubmission:
		if cb.View.CallbackID != resolveCallback {
			return nil
		}
		return a.handleResolveSubmission(ctx, cb)
	}
	return nil
}

func (a *Adapter) handleBlockAction(ctx context.Context, cb *slackapi.InteractionCallback, act *slackapi.BlockAction) error {
	name, ok := strings.CutPrefix(act.ActionID, actionPrefix)
	if !ok {
		return nil
	}
	channel := cb.Container.ChannelID
	if channel == "" {
		channel = cb.Channel.ID
	}
	ts := cb.Container.MessageTs
	if ts == "" {
		ts = cb.Message.Timestamp
	}
	if channel == "" || ts == "" {
		a.log.Warn("interaction without a message ignored", "action", act.ActionID)
		return nil
	}
	target := ""
	if act.ActionID == actionEscalateTo {
		name, target = "escalate", act.SelectedOption.Value
	}
	actionTs := act.ActionTs
	if actionTs == "" {
		actionTs = cb.ActionTs
	}
	switch {
	case customerActions[name]:
		thread := cb.Container.ThreadTs
		if thread == "" {
			thread = cb.Message.ThreadTimestamp
		}
		if thread == "" {
			thread = ts
		}
		msg := a.actionMessage(ctx, cb.User.ID, name, actionTs, channel, thread)
		return a.accept(ctx, msg)
	case cardActions[name]:
		if !a.agents.is(ctx, cb.User.ID) {
			a.refuse(ctx, channel, cb.User.ID)
			return nil
		}
		if name == "resolve" {
			a.openResolve(ctx, cb.TriggerID, modalMeta{Channel: channel, TS: ts, Incident: act.Value})
			return nil
		}
		msg := a.actionMessage(ctx, cb.User.ID, name, actionTs, channel, ts)
		msg.FromAgent = true
		msg.Target = target
		return a.accept(ctx, msg)
	}
	return nil
}

// actionMessage is the inbox message of a press by user in the thread
// channel:thread; its ID is unique per press.
func (a *Adapter) actionMessage(ctx context.Context, user, action, actionTs, channel, thread string) *intake.Message {
	return &intake.Message{
		ID:           intake.MessageID("action:" + actionTs + ":" + user + ":" + action),
		Channel:      intake.ChannelSlack,
		From:         intake.Customer{Channel: intake.ChannelSlack, ID: user, Name: a.userName(ctx, user), Verified: true},
		Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: channel, Thread: thread},
		ThreadKeys:   []intake.ThreadKey{intake.ChatThreadKey(intake.ChannelSlack, channel+":"+thread)},
		Action:       action,
		ReceivedAt:   a.opts.now().UTC(),
	}
}

func (a *Adapter) handleResolveSubmission(ctx context.Context, cb *slackapi.InteractionCallback) error {
	var meta modalMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Channel == "" || meta.TS == "" {
		a.log.Warn("resolve modal without its card ignored", "view", cb.View.ID)
		return nil
	}
	if !a.agents.is(ctx, cb.User.ID) {
		a.refuse(ctx, meta.Channel, cb.User.ID)
		return nil
	}
	text := ""
	if cb.View.State != nil {
		text = cb.View.State.Values[resolutionBlock][resolutionInput].Value
	}
	msg := a.actionMessage(ctx, cb.User.ID, "resolve", "view-"+cb.View.ID, meta.Channel, meta.TS)
	msg.FromAgent = true
	msg.Text = text
	return a.accept(ctx, msg)
}

// refuse tells user, and only user, that they may not act on cards.
func (a *Adapter) refuse(ctx context.Context, channel, user string) {
	a.log.Info("non-agent action refused", "user", user)
	_, err := a.api.PostEphemeralContext(ctx, channel, user,
		slackapi.MsgOptionText(Refusal, false))
	if err != nil {
		a.log.Warn("post refusal", "user", user, "err", err)
	}
}

// openResolve opens the modal asking for the resolution; its submission,
// not the button press, enters the inbox.
func (a *Adapter) openResolve(ctx context.Context, trigger string, meta modalMeta) {
	b, err := json.Marshal(meta)
	if err != nil {
		a.log.Warn("resolve modal metadata", "err", err)
		return
	}
	title := "Resolve"
	if meta.Incident != "" && len(meta.Incident) <= 16 {
		title = "Resolve " + meta.Incident
	}
	input := slackapi.NewPlainTextInputBlockElement(
		slackapi.NewTextBlockObject(slackapi.PlainTextType, "What fixed it?", false, false), resolutionInput)
	input.Multiline = true
	view := slackapi.ModalViewRequest{
		Type:            slackapi.VTModal,
		Title:           slackapi.NewTextBlockObject(slackapi.PlainTextType, title, false, false),
		Submit:          slackapi.NewTextBlockObject(slackapi.PlainTextType, "Resolve", false, false),
		Close:           slackapi.NewTextBlockObject(slackapi.PlainTextType, "Cancel", false, false),
		CallbackID:      resolveCallback,
		PrivateMetadata: string(b),
		Blocks: slackapi.Blocks{BlockSet: []slackapi.Block{
			slackapi.NewInputBlock(resolutionBlock,
				slackapi.NewTextBlockObject(slackapi.PlainTextType, "Resolution", false, false), nil, input),
		}},
	}
	if _, err := a.api.OpenViewContext(ctx, trigger, view); err != nil {
		a.log.Warn("open resolve modal", "incident", meta.Incident, "err", fmt.Errorf("views.open: %w", err))
	}
}
