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
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	if _, err := loadConfig(*path, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok\n", *path)
	return nil
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
