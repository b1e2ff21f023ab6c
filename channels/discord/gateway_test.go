package discord

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake/channels/discord/discordtest"
)

func TestResumeAfterDropLosesAndDuplicatesNothing(t *testing.T) {
	t.Parallel()
	f := start(t, Config{})
	var want []string
	for _, text := range []string{"one", "two"} {
		want = append(want, f.srv.UserMessage(f.intake, "42", text))
	}
	f.inbox.wait(t, 2)

	f.srv.DropConnection()
	// Dispatched while the client is away: only RESUME's replay brings them.
	for _, text := range []string{"three", "four", "five"} {
		want = append(want, f.srv.UserMessage(f.intake, "42", text))
	}
	f.srv.WaitFor(waitTimeout, "a resumed connection", func(st discordtest.Stats) bool { return st.Resumes >= 1 && st.Live })
	for _, text := range []string{"six", "seven"} {
		want = append(want, f.srv.UserMessage(f.intake, "42", text))
	}

	got := f.inbox.wait(t, len(want))
	var ids []string
	for _, m := range got {
		ids = append(ids, string(m.ID))
	}
	if !slices.Equal(ids, want) {
		t.Errorf("accepted %v, want %v", ids, want)
	}
	st := f.srv.Stats()
	if st.Identifies != 1 || st.Resumes != 1 || st.Replayed != 3 {
		t.Errorf("gateway stats = %+v, want 1 IDENTIFY, 1 RESUME replaying 3 dispatches", st)
	}
	// Nothing more arrives later (a duplicate would come after the rest).
	sentinel := f.srv.UserMessage(f.intake, "42", "eight")
	if m := f.inbox.wait(t, len(want)+1)[len(want)]; string(m.ID) != sentinel {
		t.Errorf("after the replay got %s (%q), want %s", m.ID, m.Text, sentinel)
	}
}

func TestIdentifyGuardStopsReconnectLoop(t *testing.T) {
	t.Parallel()
	// One IDENTIFY an hour: the first connection spends it.
	f := start(t, Config{}, WithIdentifyLimit(1, time.Hour, 0))

	// The session is gone: RESUME gets op 9 and discordgo identifies at once,
	// which overdraws the budget...
	f.srv.InvalidateSession()
	f.srv.DropConnection()
	f.srv.WaitFor(waitTimeout, "a second IDENTIFY", func(st discordtest.Stats) bool { return st.Identifies == 2 && st.Live })

	// ...so after the next drop the adapter waits instead of reconnecting.
	f.srv.InvalidateSession()
	f.srv.DropConnection()
	time.Sleep(2 * time.Second)
	if st := f.srv.Stats(); st.Identifies != 2 || st.Resumes != 1 || st.Live {
		t.Errorf("gateway stats = %+v, want the adapter waiting after 2 IDENTIFYs and 1 RESUME", st)
	}
}

func TestRejectedTokenStopsRun(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.WithToken("good"))
	a := newAdapter(t, srv, Config{Token: "bad"})
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	err := a.Run(ctx, newInbox())
	if !errors.Is(err, ErrRejected) {
		t.Errorf("Run() = %v, want ErrRejected", err)
	}
	if n := srv.Identifies(); n != 1 {
		t.Errorf("IDENTIFYs = %d, want 1", n)
	}
}

func TestConfiguredGatewayURLWins(t *testing.T) {
	t.Parallel()
	rest, gw := discordtest.New(t), discordtest.New(t)
	a := newAdapter(t, rest, Config{GatewayURL: gw.GatewayURL()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, newInbox()) }()
	gw.WaitLive(waitTimeout)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run() = %v, want nil after cancel", err)
	}
	if n := rest.Identifies(); n != 0 {
		t.Errorf("the REST server's gateway got %d IDENTIFYs, want 0", n)
	}
}

func TestIdentifyGuard(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g := newIdentifyGuard(2, time.Minute, 5*time.Second)
	steps := []struct {
		name   string
		at     time.Duration
		charge bool
		want   time.Duration // reserve's answer, or debt's after a charge
	}{
		{name: "first", at: 0, want: 0},
		{name: "within gap", at: time.Second, want: 4 * time.Second},
		{name: "after gap", at: 5 * time.Second, want: 0},
		{name: "bucket empty", at: 10 * time.Second, want: 50 * time.Second},
		{name: "refilled", at: 65 * time.Second, want: 0},
		{name: "unplanned identify overdraws", at: 70 * time.Second, charge: true, want: 50 * time.Second},
	}
	for _, s := range steps {
		var got time.Duration
		if s.charge {
			g.charge(t0.Add(s.at))
			got = g.debt(t0.Add(s.at))
		} else {
			got = g.reserve(t0.Add(s.at))
		}
		if d := got - s.want; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("%s: wait at +%s = %s, want %s", s.name, s.at, got, s.want)
		}
	}
}

func TestDisallowedIntentsNamesThePortalSwitch(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.WithoutPrivilegedIntents())
	a := newAdapter(t, srv, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	err := a.Run(ctx, newInbox())
	if !errors.Is(err, ErrRejected) {
		t.Errorf("Run() = %v, want ErrRejected", err)
	}
	p := a.SetupProblem()
	if p == nil || !strings.Contains(p.Error(), "4014") || !strings.Contains(p.Error(), "Message Content Intent") {
		t.Errorf("SetupProblem() = %v, want 4014 and the Message Content Intent switch named", p)
	}
	if a.Connected() {
		t.Errorf("Connected() = true after the rejection, want false")
	}
}

func TestConnectedFollowsTheGateway(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	a := newAdapter(t, srv, Config{})
	if a.Connected() {
		t.Fatalf("Connected() = true before Run, want false")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, newInbox()) }()
	srv.WaitLive(waitTimeout)
	deadline := time.Now().Add(waitTimeout)
	for !a.Connected() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !a.Connected() {
		t.Errorf("Connected() = false with the gateway live, want true")
	}
	if p := a.SetupProblem(); p != nil {
		t.Errorf("SetupProblem() = %v, want nil", p)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run() = %v, want nil", err)
	}
}
