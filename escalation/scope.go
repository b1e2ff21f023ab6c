package escalation

import (
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

// scope is what one handling works with, shared by the desk's collaborators:
// the configuration, taken once so that a reload never changes it midway, and
// the timers and notices the handling decides on the way.
type scope struct {
	cfg *config.Config
	fx  *intake.Outcome
}

func (s *scope) tier(id intake.TierID) *config.Tier {
	t, _ := s.cfg.Tier(id)
	return t
}

// tierName is the name of a tier as agents see it: in the desk's language.
func (s *scope) tierName(id intake.TierID) string { return s.tierNameIn(id, s.cfg.DeskLanguage()) }

// tierNameIn is the name of a tier in language lang, for customers.
func (s *scope) tierNameIn(id intake.TierID, lang string) string {
	if t := s.tier(id); t != nil {
		if n := t.Name.In(lang); n != "" {
			return n
		}
	}
	return string(id)
}

// tierConv is the conversation of a tier's agents: its Slack channel, or
// the web desk for a tier without one while the desk is on.
func (s *scope) tierConv(id intake.TierID) intake.Conversation {
	c := intake.Conversation{Channel: intake.ChannelSlack}
	if t := s.tier(id); t != nil {
		c.Address = t.SlackChannel
		if s.cfg.ServedByDesk(t) {
			c = intake.Conversation{Channel: intake.ChannelWeb, Address: string(id)}
		}
	}
	return c
}

// deskOnly reports whether the web desk is the only human side (Slack off):
// posts meant for Slack channels (knowledge, managers) are then left on the
// timeline instead of being queued for an adapter that is not running.
func (s *scope) deskOnly() bool { return s.cfg.Web.Enabled && !s.cfg.Channels.Slack.Enabled() }

// tell asks the spine to deliver event to incident to about incident about,
// once this handling is stored, so that it is handled (and stored) like any
// other message on that incident.
func (s *scope) tell(event intake.SystemEvent, to, about intake.IncidentID, text string) {
	s.fx.Notify = append(s.fx.Notify, intake.Notice{To: to, Event: event, About: about, Text: text})
}

// timer asks the spine to schedule or cancel a timer once this handling is stored.
func (s *scope) timer(r intake.TimerRequest) { s.fx.Timers = append(s.fx.Timers, r) }

// lastStatusAt returns when inc last entered status s.
func lastStatusAt(inc *intake.Incident, s intake.Status) time.Time {
	for i := len(inc.Timeline) - 1; i >= 0; i-- {
		if e := inc.Timeline[i]; e.Kind == intake.EventStatus && e.To == s {
			return e.At
		}
	}
	return time.Time{}
}
