package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/triage"
)

// simStart is the simulated time a conversation starts: Monday 2 March
// 2026 at 11:00 in the desk's time zone, inside usual business hours.
func simStart(cfg *config.Config) time.Time {
	loc := cfg.BusinessHours.Location
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(2026, 3, 2, 11, 0, 0, 0, loc)
}

// chat holds a conversation with the Level I bot in the terminal: every
// stdin line is a customer message ("/wait 8h" moves the clock on and fires
// the timers due by then). It prints the replies, the agents' cards and the
// incident's status changes, and sends nothing.
func chat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration `FILE`")
	lang := fs.String("lang", "", "the customer's language as the channel reports it (es, en); empty: detected")
	channel := fs.String("channel", "email", "the `CHANNEL` the customer writes on: email, slack or discord")
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	ch := intake.Channel(*channel)
	if ch != intake.ChannelEmail && ch != intake.ChannelSlack && ch != intake.ChannelDiscord {
		fmt.Fprintf(stderr, "intake chat: unknown channel %q (email, slack or discord)\n", *channel)
		return exitCode(2)
	}
	clk := &simClock{}
	cfg, bot, err := loadBot(*path, stderr, clk.Now)
	if err != nil {
		return err
	}
	clk.now = simStart(cfg)
	dir, err := tempDir()
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	s, err := newSim(cfg, bot, clk, dir, ch, *lang)
	if err != nil {
		return err
	}
	defer s.close()
	fmt.Fprintln(stdout, "Write as the customer; \"/wait 8h\" lets time pass; end with Ctrl-D.")
	in := bufio.NewScanner(stdin)
	in.Buffer(make([]byte, 64<<10), 1<<20)
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		var t turn
		if d, ok := strings.CutPrefix(line, "/wait"); ok {
			dur, perr := time.ParseDuration(strings.TrimSpace(d))
			if perr != nil || dur <= 0 {
				fmt.Fprintf(stdout, "(/wait needs a duration such as 30m or 8h)\n")
				continue
			}
			t, err = s.wait(ctx, dur)
		} else {
			t, err = s.say(ctx, line)
		}
		if err != nil {
			return err
		}
		printTurn(stdout, t)
	}
	return in.Err()
}

// printTurn shows one turn: state changes, replies, what the agents see.
func printTurn(w io.Writer, t turn) {
	for _, c := range t.Changes {
		fmt.Fprintf(w, "  [%s %s]\n", t.Incident.ID, c)
	}
	for _, r := range t.Replies {
		fmt.Fprintf(w, "bot> %s\n", strings.ReplaceAll(strings.TrimSpace(r.Text), "\n", "\n     "))
		for i, b := range r.Buttons {
			fmt.Fprintf(w, "     [%d: %s]\n", i+1, b.Label)
		}
	}
	for _, r := range t.Agents {
		if r.Card != nil {
			fmt.Fprintf(w, "  [card in %s %s: %s, tier %s, %s]\n", r.Conversation.Channel, r.Conversation.Address, r.Card.Title, r.Card.Tier, r.Card.Status)
		}
	}
	fmt.Fprintf(w, "  [%s: %s, action %s", t.Incident.ID, t.Incident.Status, t.action())
	if a := t.article(); a != "" {
		fmt.Fprintf(w, ", article %s", a)
	}
	if t.Incident.Tier != "" {
		fmt.Fprintf(w, ", tier %s", t.Incident.Tier)
	}
	fmt.Fprintln(w, "]")
}

// loadBot loads the configuration at path and the bot it describes, on
// clock.
func loadBot(path string, stderr io.Writer, clock func() time.Time) (*config.Config, *triage.Bot, error) {
	cfg, err := loadConfig(path, stderr)
	if err != nil {
		return nil, nil, err
	}
	k, err := loadKB(cfg)
	if err != nil {
		return nil, nil, err
	}
	bot, err := triage.New(k, cfg.Triage, triage.WithClock(clock))
	if err != nil {
		return nil, nil, fmt.Errorf("triage: %w", err)
	}
	return cfg, bot, nil
}
