package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/triage"
)

// story is one conversation with the bot and what each step must lead to.
type story struct {
	Name string `yaml:"story"`
	// Common marks a common problem the bot should answer in its first reply.
	Common  bool        `yaml:"common"`
	Channel string      `yaml:"channel"`
	Lang    string      `yaml:"lang"`
	Steps   []storyStep `yaml:"steps"`
	file    string
	line    int
}

// storyStep is one customer message (say) or a pause (wait) and what must follow.
type storyStep struct {
	Say    string        `yaml:"say"`
	Wait   time.Duration `yaml:"wait"`
	Expect expectation   `yaml:"expect"`
	line   int
}

// expectation is what a step must lead to; empty fields are not checked.
type expectation struct {
	Action  string `yaml:"action"`  // answer, ask, escalate, close, resolve, none
	Article string `yaml:"article"` // the article answered with
	Tier    string `yaml:"tier"`
	Status  string `yaml:"status"`
	Says    string `yaml:"says"` // text the reply to the customer contains
}

var (
	storyKeys = []string{"story", "common", "channel", "lang", "steps"}
	stepKeys  = []string{"say", "wait", "expect"}
	expectKey = []string{"action", "article", "tier", "status", "says"}
	actions   = []string{"answer", "ask", "escalate", "close", "resolve", "none"}
)

// checkKeys refuses keys of the mapping n that are not in known.
func checkKeys(n *yaml.Node, known []string) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: want a mapping", n.Line)
	}
	for i := 0; i < len(n.Content); i += 2 {
		if k := n.Content[i]; !slices.Contains(known, k.Value) {
			return fmt.Errorf("line %d: unknown key %q (known: %s)", k.Line, k.Value, strings.Join(known, ", "))
		}
	}
	return nil
}

// UnmarshalYAML decodes a story, refusing unknown keys and keeping its line.
func (s *story) UnmarshalYAML(n *yaml.Node) error {
	if err := checkKeys(n, storyKeys); err != nil {
		return err
	}
	type plain story
	if err := n.Decode((*plain)(s)); err != nil {
		return err
	}
	s.line = n.Line
	if s.Name == "" || len(s.Steps) == 0 {
		return fmt.Errorf("line %d: a story needs a name (story:) and steps", n.Line)
	}
	return nil
}

// UnmarshalYAML decodes a step, refusing unknown keys and keeping its line.
func (st *storyStep) UnmarshalYAML(n *yaml.Node) error {
	if err := checkKeys(n, stepKeys); err != nil {
		return err
	}
	type plain storyStep
	if err := n.Decode((*plain)(st)); err != nil {
		return err
	}
	st.line = n.Line
	if (st.Say == "") == (st.Wait == 0) {
		return fmt.Errorf("line %d: a step needs one of say: or wait:", n.Line)
	}
	if st.Expect.Action != "" && !slices.Contains(actions, st.Expect.Action) {
		return fmt.Errorf("line %d: unknown action %q (%s)", n.Line, st.Expect.Action, strings.Join(actions, ", "))
	}
	return nil
}

// UnmarshalYAML decodes an expectation, refusing unknown keys.
func (e *expectation) UnmarshalYAML(n *yaml.Node) error {
	if err := checkKeys(n, expectKey); err != nil {
		return err
	}
	type plain expectation
	return n.Decode((*plain)(e))
}

// loadStories reads every .yaml file of dir.
func loadStories(dir string) ([]story, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no stories (*.yaml) in %s", dir)
	}
	var all []story
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var ss []story
		if err := yaml.Unmarshal(data, &ss); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for i := range ss {
			ss[i].file = f
		}
		all = append(all, ss...)
	}
	return all, nil
}

// storyResult sums up the stories run.
type storyResult struct {
	stories, failed int
	// common problems, those answered in the first reply, and those answered
	// with another article than the story expects.
	common, answeredFirst, misanswered int
}

// testStories runs the conversation stories: `intake test`.
func testStories(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration `FILE`")
	dir := fs.String("stories", "", "folder of story files (default: the knowledge base's stories/)")
	verbose := fs.Bool("v", false, "print every conversation")
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	clk := &simClock{}
	cfg, bot, err := loadBot(*path, stderr, clk.Now)
	if err != nil {
		return err
	}
	if *dir == "" {
		*dir = filepath.Join(cfg.Triage.KnowledgeBase, "stories")
	}
	stories, err := loadStories(*dir)
	if err != nil {
		return err
	}
	var res storyResult
	for _, s := range stories {
		clk.now = simStart(cfg)
		failures, first, err := runStory(ctx, cfg, bot, clk, s, verboseTo(*verbose, stdout))
		if err != nil {
			return fmt.Errorf("%s:%d: story %q: %w", s.file, s.line, s.Name, err)
		}
		res.stories++
		if len(failures) > 0 {
			res.failed++
			for _, f := range failures {
				fmt.Fprintln(stdout, f)
			}
		}
		if s.Common {
			res.common++
			if first.action() == "answer" {
				res.answeredFirst++
				if want := s.Steps[0].Expect.Article; want != "" && first.article() != want {
					res.misanswered++
				}
			}
		}
	}
	fmt.Fprintf(stdout, "%d stories, %d failed; common problems answered in the first reply: %d of %d (%.0f%%), misanswered %d\n",
		res.stories, res.failed, res.answeredFirst, res.common, 100*float64(res.answeredFirst)/float64(max(res.common, 1)), res.misanswered)
	if res.failed > 0 {
		return exitCode(1)
	}
	return nil
}

func verboseTo(on bool, w io.Writer) io.Writer {
	if on {
		return w
	}
	return io.Discard
}

// runStory plays s on a fresh store and returns one FILE:LINE line per
// failed expectation, and the first turn.
func runStory(ctx context.Context, cfg *config.Config, bot *triage.Bot, clk *simClock, s story, log io.Writer) (failures []string, first turn, err error) {
	dir, err := tempDir()
	if err != nil {
		return nil, turn{}, err
	}
	defer os.RemoveAll(dir)
	ch := intake.ChannelEmail
	if s.Channel != "" {
		ch = intake.Channel(s.Channel)
	}
	sim, err := newSim(cfg, bot, clk, dir, ch, s.Lang)
	if err != nil {
		return nil, turn{}, err
	}
	defer sim.close()
	fmt.Fprintf(log, "== %s (%s:%d)\n", s.Name, s.file, s.line)
	for i, step := range s.Steps {
		var t turn
		if step.Say != "" {
			fmt.Fprintf(log, "customer> %s\n", step.Say)
			t, err = sim.say(ctx, step.Say)
		} else {
			fmt.Fprintf(log, "(wait %s)\n", step.Wait)
			t, err = sim.wait(ctx, step.Wait)
		}
		if err != nil {
			return nil, turn{}, err
		}
		printTurn(log, t)
		if i == 0 {
			first = t
		}
		if msg := mismatch(step.Expect, t); msg != "" {
			failures = append(failures, fmt.Sprintf("%s:%d: story %q step %d: %s", s.file, step.line, s.Name, i+1, msg))
		}
	}
	return failures, first, nil
}

// mismatch says how t differs from e, or "".
func mismatch(e expectation, t turn) string {
	var diffs []string
	got := func(what, want, have string) {
		if want != "" && want != have {
			diffs = append(diffs, fmt.Sprintf("want %s %s, got %q", what, want, have))
		}
	}
	got("action", e.Action, t.action())
	got("article", e.Article, t.article())
	got("tier", e.Tier, string(t.Incident.Tier))
	got("status", e.Status, string(t.Incident.Status))
	if e.Says != "" {
		found := false
		for _, r := range t.Replies {
			found = found || strings.Contains(strings.ToLower(r.Text), strings.ToLower(e.Says))
		}
		if !found {
			diffs = append(diffs, fmt.Sprintf("want a reply saying %q", e.Says))
		}
	}
	return strings.Join(diffs, "; ")
}
