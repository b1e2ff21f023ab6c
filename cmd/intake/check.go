package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/intake-support/intake/config"
)

// check validates a configuration and prints each problem as FILE:LINE:COL.
func check(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration `FILE`")
	strict := fs.Bool("strict", false, "exit 1 on warnings too")
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	cfg, err := loadConfig(*path, stderr)
	if err != nil {
		return err
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

// configWarnings lists what a valid configuration still gets wrong for the
// people it serves, such as escalations that reach no agent.
func configWarnings(cfg *config.Config) []string {
	return cfg.Unreachable(false)
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
