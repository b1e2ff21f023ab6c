package slack

import (
	"context"
	"encoding/json"
	"fmt"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// runSocket receives over Socket Mode until ctx is done. The socketmode
// client reconnects by itself; an envelope is acknowledged only after its
// message is in the inbox, so Slack redelivers what was not stored.
func (a *Adapter) runSocket(ctx context.Context) error {
	sm := socketmode.New(a.api)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			<-done
			return nil
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack: socket mode: %w", err)
		case evt := <-sm.Events:
			a.socketEvent(ctx, sm, evt)
		}
	}
}

func (a *Adapter) socketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.SetConnected(true)
		a.log.Info("socket mode connected")
		return
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth, socketmode.EventTypeDisconnect:
		a.SetConnected(false)
		a.log.Warn("socket mode connection problem", "event", string(evt.Type))
		return
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive:
	default:
		return
	}
	if evt.Request == nil {
		return
	}
	actx, cancel := context.WithTimeout(ctx, a.opts.ackBudget)
	defer cancel()
	var err error
	if evt.Type == socketmode.EventTypeEventsAPI {
		var ev outerEvent
		if jerr := json.Unmarshal(evt.Request.Payload, &ev); jerr != nil {
			a.log.Warn("undecodable socket mode event acknowledged", "err", jerr)
		} else if ev.Type == "event_callback" {
			err = a.handleEventCallback(actx, ev)
		}
	} else {
		cb, ok := evt.Data.(slackapi.InteractionCallback)
		if ok {
			err = a.handleInteraction(actx, &cb)
		}
	}
	if err != nil {
		// Not acknowledged: Slack delivers the envelope again.
		a.log.Warn("socket mode envelope not stored; Slack will retry", "type", string(evt.Type), "err", err)
		return
	}
	if err := sm.AckCtx(ctx, evt.Request.EnvelopeID, nil); err != nil {
		a.log.Warn("ack socket mode envelope", "err", err)
	}
}
