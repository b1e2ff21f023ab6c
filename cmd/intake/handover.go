package main

import (
	"context"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

// handover is the minimal human side until the escalation desk is wired: it
// moves an escalated incident to the first tier and tells the customer a
// person will follow up.
type handover struct{ tier intake.TierID }

func newHandover(cfg *config.Config) *handover {
	h := &handover{}
	if len(cfg.Tiers) > 0 {
		h.tier = cfg.Tiers[0].ID
	}
	return h
}

func (h *handover) Handle(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	return intake.Outcome{}, nil
}

func (h *handover) Escalate(ctx context.Context, inc *intake.Incident, esc intake.Escalation) (intake.Outcome, error) {
	inc.Tier = h.tier
	inc.Escalation = &esc
	if err := inc.Transition(intake.StatusEscalated, "bot", time.Now().UTC(), esc.Reason); err != nil {
		return intake.Outcome{}, err
	}
	text := "Your request is " + string(inc.ID) + ". A person from our support team will follow up."
	if inc.Language == "es" {
		text = "Tu solicitud es " + string(inc.ID) + ". Una persona de nuestro equipo de soporte te contactará."
	}
	return intake.Outcome{Replies: []intake.Reply{{Text: text, Auto: true, Language: inc.Language}}}, nil
}
