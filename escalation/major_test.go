package escalation_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake"
)

func TestMajorIncidentGroupsReports(t *testing.T) {
	e := newEnv(t, "major_incidents: {window: 15m, threshold: 3, similarity: 0.5}\n", mexico(t, "2026-11-23 10:00"))
	const n = 12
	for i := 1; i <= n; i++ {
		text := "El correo no funciona, no puedo enviar ni recibir"
		if i%2 == 0 {
			text = "el correo no funciona no puedo enviar"
		}
		e.customer(fmt.Sprintf("user%d@client.example", i), "es", "outage", text)
		e.drain()
		e.clk.Advance(20 * time.Second)
		e.fire() // the parent's card is refreshed once per interval
	}
	// Unrelated: another category, and the same category but different words.
	e.customer("other@client.example", "es", "network", "El correo no funciona, no puedo enviar ni recibir")
	e.customer("vpn@client.example", "es", "outage", "la VPN de la oficina de Monterrey está caída")
	e.drain()

	parent := e.incident(inc1)
	if got := len(parentReports(parent)); got != n-1 {
		t.Fatalf("reports under %s = %d, want %d", parent.ID, got, n-1)
	}
	last := lastCard(parent)
	if last == nil || last.Reports != n {
		t.Fatalf("parent card = %+v, want it to count %d reports", last, n)
	}
	open := 0
	for i := 1; i <= n+2; i++ {
		inc := e.incident(intake.FormatIncidentID(uint64(i)))
		c := lastCard(inc)
		if c != nil && len(c.Actions) > 0 {
			open++
		}
		if i > 1 && i <= n && inc.ParentID != parent.ID {
			t.Errorf("%s parent = %q, want %s", inc.ID, inc.ParentID, parent.ID)
		}
	}
	if open != 3 { // the parent and the two unrelated incidents
		t.Errorf("open cards = %d, want 3 (one for the %d similar reports)", open, n)
	}

	e.agent(inc1, "U1", "claim", "", "")
	e.agent(inc1, "U1", "resolve", "", "Se reinició el servidor de correo")
	e.drain()
	for i := 2; i <= n; i++ {
		inc := e.incident(intake.FormatIncidentID(uint64(i)))
		if inc.Status != intake.StatusResolved {
			t.Errorf("%s = %s, want resolved with its parent", inc.ID, inc.Status)
			continue
		}
		if txt := lastReplyText(inc); !strings.Contains(txt, "Se reinició el servidor de correo") {
			t.Errorf("%s last reply = %q, want the resolution", inc.ID, txt)
		}
	}
}

// parentReports lists the reports a parent's timeline names: its "major"
// notes, each naming one or more.
func parentReports(inc *intake.Incident) []string {
	var ids []string
	for _, ev := range inc.Timeline {
		if ev.Kind == intake.EventNote && ev.Actor == "major" {
			ids = append(ids, strings.Fields(ev.Text)...)
		}
	}
	return ids
}

func lastCard(inc *intake.Incident) *intake.Card {
	for i := len(inc.Timeline) - 1; i >= 0; i-- {
		if ev := inc.Timeline[i]; ev.Kind == intake.EventReply && ev.Reply != nil && ev.Reply.Card != nil {
			return ev.Reply.Card
		}
	}
	return nil
}

// TestMajorIncidentResolvesReportsNotRefreshedYet resolves a parent before
// its card's refresh has listed the latest reports: they are resolved with it.
func TestMajorIncidentResolvesReportsNotRefreshedYet(t *testing.T) {
	e := newEnv(t, "major_incidents: {window: 15m, threshold: 3, similarity: 0.5}\n", mexico(t, "2026-11-23 10:00"))
	const text = "El correo no funciona, no puedo enviar ni recibir"
	for i := 1; i <= 5; i++ {
		e.customer(fmt.Sprintf("user%d@client.example", i), "es", "outage", text)
		e.drain()
	}
	if got := len(parentReports(e.incident(inc1))); got != 2 {
		t.Fatalf("reports listed before the refresh = %d, want 2 (those that formed the major incident)", got)
	}
	e.agent(inc1, "U1", "resolve", "", "Se reinició el servidor de correo")
	e.drain()
	for i := 2; i <= 5; i++ {
		if inc := e.incident(intake.FormatIncidentID(uint64(i))); inc.Status != intake.StatusResolved || inc.ParentID != inc1 {
			t.Errorf("%s = %s under %q, want resolved under %s", inc.ID, inc.Status, inc.ParentID, inc1)
		}
	}
}
