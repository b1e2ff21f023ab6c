package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/intake-support/intake"

	"github.com/intake-support/intake/triage"
)

// maxRouteInput bounds what route reads from stdin.
const maxRouteInput = 1 << 20

// route prints the Level I decision for one message without sending anything.
func route(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("route", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration `FILE`")
	asJSON := fs.Bool("json", false, "print the decision as one JSON object")
	from := fs.String("from", "", "the sender (an email address, or a chat user ID), for sender and VIP rules")
	channel := fs.String("channel", "email", "the `CHANNEL` the message arrives on: email, slack or discord")
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	cfg, err := loadConfig(*path, stderr)
	if err != nil {
		return err
	}
	text := strings.Join(fs.Args(), " ")
	if fs.NArg() == 0 {
		b, err := io.ReadAll(io.LimitReader(stdin, maxRouteInput))
		if err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
		text = string(b)
	}
	k, err := loadKB(cfg)
	if err != nil {
		return err
	}
	c, err := triage.NewClassifier(k, cfg.Triage)
	if err != nil {
		return err
	}
	d, explain, err := decide(cfg, c, text, intake.Customer{Channel: intake.Channel(*channel), ID: *from})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(d)
	}
	fmt.Fprintf(stdout, "language:   %s\ncategory:   %s\nconfidence: %.3f\narticle:    %s\nmissing:    %s\naction:     %s\n",
		d.Language, orNone(d.Category), d.Confidence, orNone(d.Article), orNone(strings.Join(d.Missing, ", ")), d.Action)
	if d.Reason != "" {
		fmt.Fprintf(stdout, "reason:     %s\n", d.Reason)
	}
	if d.Tier != "" {
		fmt.Fprintf(stdout, "tier:       %s (rule %s)\n", d.Tier, d.Rule)
		for _, line := range explain {
			fmt.Fprintf(stdout, "  %s\n", line)
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
