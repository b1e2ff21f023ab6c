package triage

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/intake-support/intake"
)

// timerPurpose keys the bot's one timer per incident: the conversation
// waits for one thing at a time.
const timerPurpose = "triage"

// timers is the timer request that goes with the conversation's state:
// every waiting step has its deadline, every other step cancels it.
func (b *Bot) timers(inc *intake.Incident, st state) []intake.TimerRequest {
	key := intake.TimerKey(timerPurpose, inc.ID)
	switch st.Step {
	case stepConfirm:
		return []intake.TimerRequest{intake.ScheduleTimer(key, st.AnsweredAt.Add(b.opts.ConfirmWithin), intake.EventConfirmExpired)}
	case stepDetails, stepChoose, stepDescribe:
		return []intake.TimerRequest{intake.ScheduleTimer(key, st.AskedAt.Add(b.opts.AnswerWithin), intake.EventAnswerExpired)}
	}
	return []intake.TimerRequest{intake.CancelTimer(key)}
}

// Expire runs when the bot's timer fires at now. A "did that solve it?"
// with no answer by confirm_within resolves softly; details not given by
// answer_within are handed over with what the bot has; a choice or a
// description never given closes the incident (there is nothing for a
// person to act on). A timer that is no longer current changes nothing.
func (b *Bot) Expire(inc *intake.Incident, event intake.SystemEvent, now time.Time) (intake.Outcome, error) {
	st := decodeState(inc)
	if inc.Status != intake.StatusAwaitingCustomer {
		return intake.Outcome{}, nil
	}
	lang := replyLang(st.Lang)
	var out intake.Outcome
	switch {
	case event == intake.EventConfirmExpired && st.Step == stepConfirm && !now.Before(st.AnsweredAt.Add(b.opts.ConfirmWithin)):
		if err := inc.Transition(intake.StatusResolved, actor, now, "no reply to \"did that solve it?\": resolved (soft)"); err != nil {
			return intake.Outcome{}, fmt.Errorf("triage expire: %w", err)
		}
		st.Step = stepDone
		out.Replies = []intake.Reply{reply(say("expired", lang), lang)}
	case event == intake.EventAnswerExpired && st.Step == stepDetails && !now.Before(st.AskedAt.Add(b.opts.AnswerWithin)):
		setDetail(inc, "not_answered", joinNames(st.Asked))
		out = b.escalate(inc, &st, st.HandOver, st.FirstChecks)
		out.Replies[0].Text = say("unanswered", lang) + " " + out.Replies[0].Text
	case event == intake.EventAnswerExpired && (st.Step == stepChoose || st.Step == stepDescribe) && !now.Before(st.AskedAt.Add(b.opts.AnswerWithin)):
		if err := inc.Transition(intake.StatusClosed, actor, now, "no reply to the bot's question: closed"); err != nil {
			return intake.Outcome{}, fmt.Errorf("triage expire: %w", err)
		}
		st.Step = stepDone
		out.Replies = []intake.Reply{reply(say("expired_question", lang), lang)}
	default:
		return intake.Outcome{}, nil
	}
	if err := b.save(inc, st); err != nil {
		return intake.Outcome{}, err
	}
	out.Timers = b.timers(inc, st)
	return out, nil
}

// LevelOne is the Level I handler the spine runs: the bot, which can be
// swapped while running when the configuration is reloaded. Its timers'
// events come back to it as system messages.
type LevelOne struct {
	bot atomic.Pointer[Bot]
}

// NewLevelOne returns the handler for bot.
func NewLevelOne(bot *Bot) *LevelOne {
	l := &LevelOne{}
	l.bot.Store(bot)
	return l
}

// Swap replaces the bot; messages already being handled finish with the old one.
func (l *LevelOne) Swap(bot *Bot) { l.bot.Store(bot) }

// Handle runs the current bot on msg.
func (l *LevelOne) Handle(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	return l.bot.Load().Handle(ctx, inc, msg)
}
