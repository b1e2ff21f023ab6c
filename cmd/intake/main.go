// Command intake is the support intake gateway: one binary that runs the
// gateway (serve), checks a configuration (check), shows the Level I decision
// for a message (route), measures triage quality on labelled data (eval),
// holds a conversation with the bot in the terminal (chat), runs the
// conversation stories (test),
// normalizes an email file (inspect) and prints its version.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `intake: omnichannel intake gateway for technical support

Usage:
  intake serve   -config FILE [-http ADDR]    run the gateway
  intake check   -config FILE [-online]       validate a configuration (-online: ask Slack and Discord too)
  intake route   -config FILE [-json] [TEXT]  the Level I decision for one message (stdin without TEXT)
  intake eval    [-config FILE | -train TRAIN.jsonl] [-json] TEST.jsonl
  intake inspect [-config FILE] FILE.eml      the normalized form of an email, as JSON
  intake chat    -config FILE [-lang es] [-channel email]  a conversation with the bot in the terminal
  intake test    -config FILE [-stories DIR]  run the conversation stories (default: KB folder's stories/)
  intake passwd                               hash a web desk password (read from the terminal or stdin)
  intake outbox list  -config FILE            replies that could not be delivered (dead-letter queue)
  intake outbox retry -config FILE [-all] [ID...]  send dead replies again
  intake bench   [-gateway NAME=PATH]... [sizes]  the gateway against the machine's limits (docs/bench.md)
  intake version
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, rest, stderr)
	case "check":
		err = check(rest, stdout, stderr)
	case "route":
		err = route(rest, stdin, stdout, stderr)
	case "eval":
		err = eval(rest, stdout, stderr)
	case "chat":
		err = chat(ctx, rest, stdin, stdout, stderr)
	case "test":
		err = testStories(ctx, rest, stdout, stderr)
	case "inspect":
		err = inspect(rest, stdout, stderr)
	case "passwd":
		err = passwd(stdin, stdout, stderr)
	case "outbox":
		err = outbox(ctx, rest, stdout, stderr)
	case "bench":
		err = bench(ctx, rest, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "intake: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err == nil {
		return 0
	}
	if code, ok := err.(exitCode); ok {
		return int(code)
	}
	fmt.Fprintf(stderr, "intake %s: %v\n", cmd, err)
	return 1
}

// exitCode is returned by a subcommand that already printed its problems.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit %d", int(c)) }
