package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/intake-support/intake/channels/email/mailparse"
	"github.com/intake-support/intake/triage/lang"
)

// inspect prints the normalized form of one email file as JSON, or one line
// saying why the message is refused (exit 1).
func inspect(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration `FILE` (optional: our addresses and size limits)")
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: intake inspect [-config FILE] FILE.eml")
		return exitCode(2)
	}
	detector := lang.New()
	opts := mailparse.NormalizeOptions{DetectLanguage: func(s string) string { return detector.Detect(s).Lang }}
	if *path != "" {
		cfg, err := loadConfig(*path, stderr)
		if err != nil {
			return err
		}
		if e := cfg.Channels.Email; e.Enabled() {
			opts.OurAddresses = []string{e.Address}
			opts.MaxSize = int64(e.MaxSize)
			opts.MaxAttachment = int64(e.MaxAttachment)
		}
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := mailparse.Normalize(f, opts)
	var refused *mailparse.RefusedError
	if errors.As(err, &refused) {
		fmt.Fprintf(stderr, "%s: refused: %s\n", fs.Arg(0), refused.Reason)
		return exitCode(1)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	out, err := mailparse.InspectJSON(n)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}
