package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/triage"
)

// eval measures triage quality on a labelled file, with the configured KB or
// one built from a training file.
func eval(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration `FILE` whose knowledge base is evaluated")
	train := fs.String("train", "", "labelled `TRAIN.jsonl`: each label becomes a KB article")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	languages := fs.String("languages", "", "comma-separated `LANGS` the bot answers in, instead of the configured ones (es,en by default)")
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	if fs.NArg() != 1 || (*path == "") == (*train == "") {
		fmt.Fprintln(stderr, "usage: intake eval [-config FILE | -train TRAIN.jsonl] [-languages LANGS] [-json] TEST.jsonl")
		return exitCode(2)
	}
	var k *triage.KB
	// Without a configuration: its defaults, at the threshold of a KB built
	// from a training file.
	opts := config.DefaultTriage()
	opts.Threshold = config.TrainedThreshold
	if *path != "" {
		cfg, err := loadConfig(*path, stderr)
		if err != nil {
			return err
		}
		if k, err = loadKB(cfg); err != nil {
			return err
		}
		opts = cfg.Triage
	} else {
		examples, err := readExamples(*train)
		if err != nil {
			return err
		}
		k = triage.KBFromExamples(examples)
	}
	if *languages != "" {
		opts.Languages = strings.Split(*languages, ",")
	}
	test, err := readExamples(fs.Arg(0))
	if err != nil {
		return err
	}
	c, err := triage.NewClassifier(k, opts)
	if err != nil {
		return err
	}
	r := triage.Evaluate(c, test)
	if *asJSON {
		return json.NewEncoder(stdout).Encode(r)
	}
	fmt.Fprintf(stdout, "lines %d  top-1 %.4f  precision %.4f  coverage %.4f  oos recall %.4f  language %.4f  %.0f msgs/s\n",
		r.N, r.Top1, r.Precision, r.Coverage, r.OOSRecall, r.LangAccuracy, r.MsgsPerS)
	langs := make([]string, 0, len(r.PerLang))
	for l := range r.PerLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		s := r.PerLang[l]
		fmt.Fprintf(stdout, "  %-3s lines %5d  top-1 %.4f  coverage %.4f  language %.4f\n", l, s.N, s.Top1, s.Coverage, s.LangAccuracy)
	}
	return nil
}

func readExamples(path string) ([]triage.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ex, err := triage.ReadExamples(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ex, nil
}
