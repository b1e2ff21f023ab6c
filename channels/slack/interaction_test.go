package slack

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels/slack/slackfake"
)

func click(t *testing.T, a *Adapter, payload map[string]any) {
	t.Helper()
	body := interactionBody(payload)
	if rec := serve(a, "/slack/interactions", signed("/slack/interactions", formType, body, testSecret, time.Now())); rec.Code != http.StatusOK {
		t.Fatalf("interaction = %d %s, want 200", rec.Code, rec.Body.String())
	}
}

func TestCardClicks(t *testing.T) {
	const card = "1700000000.000009"
	key := intake.ChatThreadKey(intake.ChannelSlack, tierChan+":"+card)
	tests := []struct {
		name       string
		user       string
		payload    func(user string) map[string]any
		wantAction string
		wantTarget string
	}{
		{"claim by agent", agentUser, func(u string) map[string]any {
			return clickPayload(u, "intake:claim", "INC-7", tierChan, card, "1700000400.000001")
		}, "claim", ""},
		{"release by group member", groupUser, func(u string) map[string]any {
			return clickPayload(u, "intake:release", "INC-7", tierChan, card, "1700000400.000002")
		}, "release", ""},
		{"escalate to next tier", agentUser, func(u string) map[string]any {
			return clickPayload(u, "intake:escalate", "INC-7", tierChan, card, "1700000400.000003")
		}, "escalate", ""},
		{"escalate to a chosen tier", agentUser, func(u string) map[string]any {
			p := clickPayload(u, actionEscalateTo, "", tierChan, card, "1700000400.000004")
			act := p["actions"].([]map[string]any)[0]
			act["type"] = "static_select"
			act["selected_option"] = map[string]any{"value": "tier3", "text": map[string]any{"type": "plain_text", "text": "tier3"}}
			return p
		}, "escalate", "tier3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			f.SetGroup("SAGENTS", groupUser)
			a, inbox := running(t, testConfig(f))
			click(t, a, tt.payload(tt.user))
			got := inbox.wait(t, 1)[0]
			if !got.FromAgent || got.Action != tt.wantAction || got.Target != tt.wantTarget || got.From.ID != tt.user ||
				len(got.ThreadKeys) != 1 || got.ThreadKeys[0] != key {
				t.Errorf("message = %+v, want FromAgent action %q target %q key %s", got, tt.wantAction, tt.wantTarget, key)
			}
			if n := len(f.callsOf("chat.postEphemeral")); n != 0 {
				t.Errorf("ephemerals = %d, want 0", n)
			}
		})
	}
}

func TestClicksAreUniquePerPress(t *testing.T) {
	f := newFakeSlack(t)
	a, inbox := running(t, testConfig(f))
	click(t, a, clickPayload(agentUser, "intake:claim", "INC-7", tierChan, "1.000009", "1700000400.000001"))
	click(t, a, clickPayload(agentUser, "intake:release", "INC-7", tierChan, "1.000009", "1700000401.000001"))
	click(t, a, clickPayload(agentUser, "intake:claim", "INC-7", tierChan, "1.000009", "1700000402.000001"))
	if got := inbox.wait(t, 3); got[0].ID == got[2].ID {
		t.Errorf("two presses share ID %q", got[0].ID)
	}
}

func TestNonAgentRefused(t *testing.T) {
	f := newFakeSlack(t)
	f.SetGroup("SAGENTS", groupUser)
	a, inbox := running(t, testConfig(f))
	for _, action := range []string{"intake:claim", "intake:resolve", "intake:escalate"} {
		click(t, a, clickPayload(outsider, action, "INC-7", tierChan, "1.000009", "1700000400.000001"))
	}
	if n := len(inbox.all()); n != 0 {
		t.Fatalf("inbox has %d messages, want 0", n)
	}
	eph := f.callsOf("chat.postEphemeral")
	if len(eph) != 3 {
		t.Fatalf("ephemerals = %d, want 3", len(eph))
	}
	for _, e := range eph {
		if e.Form.Get("user") != outsider || e.Form.Get("channel") != tierChan || e.Form.Get("text") != Refusal {
			t.Errorf("ephemeral = %v, want the refusal to %s in %s", e.Form, outsider, tierChan)
		}
	}
	if n := len(f.callsOf("views.open")); n != 0 {
		t.Errorf("views.open = %d, want 0 for a non-agent", n)
	}
}

func TestResolveOpensModalAndSubmissionResolves(t *testing.T) {
	f := newFakeSlack(t)
	a, inbox := running(t, testConfig(f))
	click(t, a, clickPayload(agentUser, "intake:resolve", "INC-7", tierChan, "1700000000.000009", "1700000400.000001"))
	if n := len(inbox.all()); n != 0 {
		t.Fatalf("inbox has %d messages after the press, want 0 until the modal is submitted", n)
	}
	opens := f.callsOf("views.open")
	if len(opens) != 1 || opens[0].JSON["trigger_id"] != "trig-1" {
		t.Fatalf("views.open = %+v, want one with the trigger", opens)
	}
	view := opens[0].JSON["view"].(map[string]any)
	submit := func(user string) map[string]any { return slackfake.ViewSubmission(user, view, "Reset the password.") }
	click(t, a, submit(outsider))
	if n := len(inbox.all()); n != 0 {
		t.Fatalf("inbox has %d messages after a non-agent submission, want 0", n)
	}
	click(t, a, submit(agentUser))
	got := inbox.wait(t, 1)[0]
	key := intake.ChatThreadKey(intake.ChannelSlack, tierChan+":1700000000.000009")
	if !got.FromAgent || got.Action != "resolve" || got.Text != "Reset the password." || got.ThreadKeys[0] != key {
		t.Errorf("message = %+v, want resolve with the resolution on %s", got, key)
	}
}

func TestCustomerSolvedButtons(t *testing.T) {
	f := newFakeSlack(t)
	a, inbox := running(t, testConfig(f))
	p := clickPayload(outsider, "intake:solved", "INC-7", "D123", "1700000500.000002", "1700000600.000001")
	p["container"].(map[string]any)["thread_ts"] = "1700000100.000200"
	click(t, a, p)
	got := inbox.wait(t, 1)[0]
	if got.FromAgent || got.Action != "solved" || got.ThreadKeys[0] != intake.ChatThreadKey(intake.ChannelSlack, "D123:1700000100.000200") {
		t.Errorf("message = %+v, want a customer's solved in the DM thread", got)
	}
	if n := len(f.callsOf("chat.postEphemeral")); n != 0 {
		t.Errorf("ephemerals = %d, want 0: customers may answer their own question", n)
	}
}

func TestAgentGroupCached(t *testing.T) {
	f := newFakeSlack(t)
	f.SetGroup("SAGENTS", groupUser)
	now := time.Now()
	clock := func() time.Time { return now }
	a, inbox := running(t, testConfig(f), WithClock(clock), WithAgentsRefresh(time.Minute))
	for i := range 3 {
		click(t, a, clickPayload(groupUser, "intake:claim", "INC-7", tierChan, "1.000009", "1700000400.00000"+string(rune('1'+i))))
	}
	inbox.wait(t, 3)
	hits := f.GroupHits()
	if hits != 1 {
		t.Errorf("usergroups.users.list calls = %d, want 1 within the refresh interval", hits)
	}
	if !strings.HasPrefix(string(inbox.all()[0].ID), "action:") {
		t.Errorf("ID = %q, want an action ID", inbox.all()[0].ID)
	}
}
