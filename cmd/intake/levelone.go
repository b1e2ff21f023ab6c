package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/triage"
)

// actionConfirmExpired is the timer event that resolves an incident whose
// customer never answered "did that solve it?".
const actionConfirmExpired = "triage:confirm_expired"

// levelOne is the triage bot plus its durable timer: when the bot waits for
// a confirmation it schedules the soft resolution, and the timer's message
// comes back here when it fires.
type levelOne struct {
	// bot is swapped whole when the configuration is reloaded.
	bot    atomic.Pointer[triage.Bot]
	timers store.Timers
	now    func() time.Time
}

func (l *levelOne) Handle(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	if msg.Channel == intake.ChannelSystem {
		if msg.Action != actionConfirmExpired {
			return intake.Outcome{}, nil
		}
		out, _, err := l.bot.Load().Expire(inc, l.now())
		return out, err
	}
	bot := l.bot.Load()
	out, err := bot.Handle(ctx, inc, msg)
	if err != nil {
		return out, err
	}
	if due, ok := bot.ConfirmDeadline(inc); ok {
		// Scheduled before the incident is stored; if that write loses a
		// race the timer still fires harmlessly: Expire checks the state.
		err = channels.ScheduleMessage(ctx, l.timers, "triage:"+string(inc.ID), due, channels.SystemMessage(inc.ID, actionConfirmExpired))
	}
	return out, err
}
