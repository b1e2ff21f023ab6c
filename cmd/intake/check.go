package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/intake-support/intake/channels/discord"
	"github.com/intake-support/intake/channels/slack"
	"github.com/intake-support/intake/config"
)

// check validates a configuration and prints each problem as FILE:LINE:COL.
func check(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration `FILE`")
	online := fs.Bool("online", false, "also ask Slack and Discord whether the tokens have the scopes and intents intake needs")
	strict := fs.Bool("strict", false, "exit 1 on warnings too")
	checkSt := fs.Bool("store", false, "also check the store: every page of the embedded store's file (stop the gateway first), or that Redis answers")
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	cfg, err := loadConfig(*path, stderr)
	if err != nil {
		return err
	}
	if *online {
		problems := checkOnline(cfg)
		for _, p := range problems {
			fmt.Fprintf(stderr, "%s: %s\n", *path, p)
		}
		if len(problems) > 0 {
			return exitCode(1)
		}
	}
	if *checkSt {
		if err := checkStore(cfg.Store); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", *path, err)
			return exitCode(1)
		}
	}
	warnings := configWarnings(cfg)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "%s: warning: %s\n", *path, w)
	}
	if *strict && len(warnings) > 0 {
		return exitCode(1)
	}
	fmt.Fprintf(stdout, "%s: ok\n", *path)
	return nil
}

// checkOnline asks the chat services enabled in cfg what they grant intake.
func checkOnline(cfg *config.Config) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var problems []string
	if sc := cfg.Channels.Slack; sc.Enabled() {
		if err := slack.CheckScopes(ctx, sc); err != nil {
			problems = append(problems, "slack: "+err.Error())
		}
	}
	if d := cfg.Channels.Discord; d.Enabled() {
		if err := discord.CheckIntents(ctx, discord.Config{Token: d.Token, APIURL: d.APIURL}); err != nil {
			problems = append(problems, "discord: "+err.Error())
		}
	}
	return problems
}

// configWarnings lists what a valid configuration still gets wrong for the
// people it serves, such as escalations that reach no agent.
func configWarnings(cfg *config.Config) []string {
	return cfg.Unreachable()
}

// loadConfig loads and validates the file (and everything it refers to, such
// as the knowledge base). Positioned problems are printed one a line.
func loadConfig(path string, stderr io.Writer) (*config.Config, error) {
	if path == "" {
		fmt.Fprintln(stderr, "intake: -config FILE is required")
		return nil, exitCode(2)
	}
	cfg, err := config.Load(path)
	if err == nil {
		err = loadExtras(cfg)
	}
	var problems config.Errors
	if errors.As(err, &problems) {
		fmt.Fprintln(stderr, problems.Error())
		return nil, exitCode(1)
	}
	if err != nil {
		return nil, err
	}
	return cfg, nil
}
