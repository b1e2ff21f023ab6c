package triage

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/store"
)

// ActionConfirmExpired is the timer event that resolves an incident whose
// customer never answered "did that solve it?".
const ActionConfirmExpired = "triage:confirm_expired"

// LevelOne is the Level I handler the spine runs: the bot plus the durable
// timer of its "did that solve it?" question. When the bot waits for a
// confirmation LevelOne schedules the soft resolution; the timer's system
// message comes back here when it fires. The bot can be swapped while
// running, when the configuration is reloaded.
type LevelOne struct {
	bot    atomic.Pointer[Bot]
	timers store.Timers
	now    func() time.Time
}

var _ channels.Handler = (*LevelOne)(nil)

// NewLevelOne returns the handler for bot, keeping its timers in timers.
func NewLevelOne(bot *Bot, timers store.Timers, now func() time.Time) *LevelOne {
	l := &LevelOne{timers: timers, now: now}
	l.bot.Store(bot)
	return l
}

// Swap replaces the bot; messages already being handled finish with the old one.
func (l *LevelOne) Swap(bot *Bot) { l.bot.Store(bot) }

// Handle runs the bot on msg, or the soft resolution when its timer fires.
func (l *LevelOne) Handle(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	bot := l.bot.Load()
	if msg.Channel == intake.ChannelSystem {
		if msg.Action != ActionConfirmExpired {
			return intake.Outcome{}, nil
		}
		out, _, err := bot.Expire(inc, l.now())
		return out, err
	}
	out, err := bot.Handle(ctx, inc, msg)
	if err != nil {
		return out, err
	}
	if due, ok := bot.ConfirmDeadline(inc); ok {
		// Scheduled before the incident is stored; if that write loses a
		// race the timer still fires harmlessly: Expire checks the state.
		err = channels.ScheduleMessage(ctx, l.timers, "triage:"+string(inc.ID), due, channels.SystemMessage(inc.ID, ActionConfirmExpired))
	}
	return out, err
}
