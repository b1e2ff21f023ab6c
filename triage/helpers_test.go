package triage

import (
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

var (
	defaultOnce sync.Once
	defaultKB   *KB
	defaultErr  error
)

func loadDefaultKB(t testing.TB) *KB {
	t.Helper()
	defaultOnce.Do(func() { defaultKB, defaultErr = LoadKB("../config/kb") })
	if defaultErr != nil {
		t.Fatalf("LoadKB(config/kb) = %v", defaultErr)
	}
	return defaultKB
}

var (
	shippedOnce sync.Once
	shipped     *Classifier
	shippedErr  error
)

// exampleTriage is the triage section of config/example.yaml (the default
// threshold, details asked before a hand-over).
func exampleTriage() config.Triage {
	t := config.DefaultTriage()
	t.Details = map[string][]string{"default": {"description", "since", "impact"}, "onsite": {"address", "availability"}}
	return t
}

// trainedTriage is the triage section `intake eval -train` measures with.
func trainedTriage() config.Triage {
	t := exampleTriage()
	t.Threshold = config.TrainedThreshold
	return t
}

// shippedClassifier is the classifier of the shipped KB at the threshold
// config/example.yaml ships (0.5), built once: it is safe for concurrent use.
func shippedClassifier(t testing.TB) *Classifier {
	t.Helper()
	k := loadDefaultKB(t)
	shippedOnce.Do(func() { shipped, shippedErr = NewClassifier(k, exampleTriage()) })
	if shippedErr != nil {
		t.Fatalf("NewClassifier(config/kb) = %v", shippedErr)
	}
	return shipped
}

// fakeClock is a settable clock.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func newTestBot(t testing.TB) (*Bot, *fakeClock) {
	t.Helper()
	clk := &fakeClock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	// One trained classifier serves every test bot (training is the slow
	// part, tenfold under -race); each bot gets its own clock.
	c := shippedClassifier(t)
	opts := c.opts
	opts.clock = clk.Now
	return &Bot{c: c, opts: opts}, clk
}

func newIncident() *intake.Incident {
	return &intake.Incident{ID: "INC-000001", Status: intake.StatusNew}
}

var msgSeq int

func msg(text string) *intake.Message {
	msgSeq++
	return &intake.Message{ID: intake.MessageID(rune('a' + msgSeq%26)), Channel: intake.ChannelEmail, Text: text}
}
