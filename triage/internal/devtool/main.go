// Command devtool prints `intake eval -train TRAIN -json DEV` figures with
// the model's training knobs exposed, for tuning them on the dev splits.
//
//	go run ./triage/internal/devtool -train TRAIN.jsonl [-threshold T] [-epochs N] [-c C] [-bm25 W] DEV.jsonl
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/triage"
	"github.com/intake-support/intake/triage/model"
)

func read(path string) ([]triage.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return triage.ReadExamples(f)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "devtool:", err)
		os.Exit(1)
	}
}

func run() error {
	train := flag.String("train", "", "labelled lines that build the KB")
	kbDir := flag.String("kb", "", "a KB folder instead of -train")
	th := flag.Float64("threshold", config.TrainedThreshold, "confidence threshold")
	epochs := flag.Int("epochs", 0, "training epochs")
	cc := flag.Float64("c", 0, "PA C")
	bw := flag.Float64("bm25", 0, "BM25 weight")
	flag.Parse()
	var k *triage.KB
	if *kbDir != "" {
		var err error
		if k, err = triage.LoadKB(*kbDir); err != nil {
			return err
		}
	} else {
		tr, err := read(*train)
		if err != nil {
			return err
		}
		k = triage.KBFromExamples(tr)
	}
	cfg := config.DefaultTriage()
	cfg.Threshold = *th
	c, err := triage.NewClassifier(k, cfg, triage.WithModel(model.Options{Epochs: *epochs, C: float32(*cc), BM25Weight: float32(*bw)}))
	if err != nil {
		return err
	}
	dev, err := read(flag.Arg(0))
	if err != nil {
		return err
	}
	out, _ := json.Marshal(triage.Evaluate(c, dev))
	fmt.Println(string(out))
	return nil
}
