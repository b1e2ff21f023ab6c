package triage

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"
)

// Report is the triage quality on labelled lines: the JSON of `intake eval -json`.
type Report struct {
	// N is the number of lines evaluated.
	N int `json:"n"`
	// Top1 is the share of in-scope lines whose best article is the label,
	// whatever the confidence.
	Top1 float64 `json:"top1"`
	// Precision is correct answers / answers at the bot's threshold; an
	// answer is a decision that picks an article and does not escalate.
	Precision float64 `json:"precision"`
	// Coverage is correct answers / in-scope lines.
	Coverage float64 `json:"coverage"`
	// OOSRecall is the share of "oos" lines the bot did not answer.
	OOSRecall float64 `json:"oos_recall"`
	// LangAccuracy is the share of lines carrying lang that were detected right.
	LangAccuracy float64             `json:"lang_accuracy"`
	PerLang      map[string]LangStat `json:"per_lang"`
	MsgsPerS     float64             `json:"msgs_per_s"`
}

// LangStat is the quality on the lines of one language (by their lang field).
type LangStat struct {
	N            int     `json:"n"`
	Top1         float64 `json:"top1"`
	Coverage     float64 `json:"coverage"`
	LangAccuracy float64 `json:"lang_accuracy"`
}

// ReadExamples reads eval lines (one JSON object a line); blank lines are skipped.
func ReadExamples(r io.Reader) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var e Example
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read examples: %w", err)
	}
	return out, nil
}

type counts struct{ n, in, top1, answers, correct, oos, oosEsc, langN, langOK int }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return round4(float64(a) / float64(b))
}

func round4(f float64) float64 { return float64(int(f*10000+0.5)) / 10000 }

// Evaluate runs every line through the classifier as a first message and
// scores the decisions as DESIGN.md's `intake eval` describes. Lines without
// a label count for language only.
func Evaluate(c *Classifier, lines []Example) Report {
	var all counts
	per := map[string]*counts{}
	start := time.Now()
	for _, l := range lines {
		d := c.decide(l.Text, "", nil)
		cs := []*counts{&all}
		if l.Lang != "" {
			p := per[l.Lang]
			if p == nil {
				p = &counts{}
				per[l.Lang] = p
			}
			cs = append(cs, p)
		}
		pred := ""
		if d.top >= 0 {
			pred = c.m.Articles()[d.top].ID
		}
		answered := d.Article != "" && d.Action != ActionEscalate && d.Action != ActionClose
		for _, k := range cs {
			k.n++
			if l.Lang != "" {
				k.langN++
				if d.Language == l.Lang {
					k.langOK++
				}
			}
			switch l.Label {
			case "":
			case "oos":
				k.oos++
				if !answered {
					k.oosEsc++
				}
			default:
				k.in++
				if pred == l.Label {
					k.top1++
				}
			}
			if l.Label != "" && answered {
				k.answers++
				if d.Article == l.Label {
					k.correct++
				}
			}
		}
	}
	el := time.Since(start).Seconds()
	r := Report{
		N: all.n, Top1: ratio(all.top1, all.in), Precision: ratio(all.correct, all.answers),
		Coverage: ratio(all.correct, all.in), OOSRecall: ratio(all.oosEsc, all.oos),
		LangAccuracy: ratio(all.langOK, all.langN), PerLang: map[string]LangStat{},
	}
	if el > 0 {
		r.MsgsPerS = float64(int(float64(len(lines)) / el))
	}
	keys := make([]string, 0, len(per))
	for k := range per {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := per[k]
		r.PerLang[k] = LangStat{N: p.n, Top1: ratio(p.top1, p.in), Coverage: ratio(p.correct, p.in), LangAccuracy: ratio(p.langOK, p.langN)}
	}
	return r
}
