package discord

import (
	"context"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/intake-support/intake"
)

// interactionDeadline leaves room within Discord's three seconds to answer
// after the inbox has taken the press.
const interactionDeadline = 2 * time.Second

// handleInteraction turns a button press on one of the bot's messages into
// a message with Action set, and acknowledges it once stored; if the inbox
// fails, the customer gets an ephemeral error and can press again.
func (r *receiver) handleInteraction(ctx context.Context, i *discordgo.Interaction) {
	if i.Type != discordgo.InteractionMessageComponent || i.ID == "" || i.ChannelID == "" {
		return
	}
	data, ok := i.Data.(discordgo.MessageComponentInteractionData)
	if !ok || data.CustomID == "" || len(data.CustomID) > 100 {
		return
	}
	user := i.User
	if i.Member != nil && i.Member.User != nil {
		user = i.Member.User
	}
	if user == nil || user.ID == "" || user.Bot {
		return
	}
	key := "i:" + i.ID
	if r.a.seen.has(key) {
		return
	}
	threadKey := intake.ChatThreadKey(intake.ChannelDiscord, i.ChannelID)
	if i.GuildID == "" {
		threadKey = intake.ChatThreadKey(intake.ChannelDiscord, "dm:"+user.ID)
	}
	msg := &intake.Message{
		ID:      intake.MessageID(i.ID),
		Channel: intake.ChannelDiscord,
		From: intake.Customer{Channel: intake.ChannelDiscord, ID: user.ID,
			Name: user.DisplayName(), Verified: true},
		Conversation: intake.Conversation{Channel: intake.ChannelDiscord, Address: i.ChannelID},
		Text:         buttonLabel(i.Message, data.CustomID),
		ThreadKeys:   []intake.ThreadKey{threadKey},
		Action:       data.CustomID,
		ReceivedAt:   r.a.opts.now(),
	}
	actx, cancel := context.WithTimeout(ctx, interactionDeadline)
	err := r.inbox.Accept(actx, msg)
	cancel()
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	if err != nil {
		r.a.log.Error("discord button press not stored", "interaction_id", i.ID, "err", err)
		resp = &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content:         pressFailed(i.Locale),
				Flags:           discordgo.MessageFlagsEphemeral,
				AllowedMentions: noMentions(),
			},
		}
	} else {
		r.a.seen.add(key)
		r.a.log.Info("discord button press accepted", "interaction_id", i.ID, "action", data.CustomID)
	}
	if err := r.a.session.InteractionRespond(i, resp, discordgo.WithContext(ctx)); err != nil {
		r.a.log.Warn("discord interaction not answered", "interaction_id", i.ID, "err", err)
	}
}

// buttonLabel finds the label of the pressed button, for the timeline; the
// action stands in when the message is not included.
func buttonLabel(m *discordgo.Message, customID string) string {
	if m == nil {
		return customID
	}
	for _, c := range m.Components {
		row, ok := c.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, rc := range row.Components {
			if b, ok := rc.(*discordgo.Button); ok && b.CustomID == customID && b.Label != "" {
				return b.Label
			}
		}
	}
	return customID
}

// pressFailed is the ephemeral answer when a press could not be recorded.
func pressFailed(locale discordgo.Locale) string {
	if strings.HasPrefix(string(locale), "es") {
		return "No pudimos registrar tu respuesta. Inténtalo de nuevo en un momento."
	}
	return "We could not record your answer. Please try again in a moment."
}
