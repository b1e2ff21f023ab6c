package lang

import (
	"embed"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/intake-support/intake/internal/textproc"
)

//go:embed corpus/*.txt
var corpus embed.FS

// Supported lists the languages the detector knows, es and en first.
var Supported = []string{"es", "en", "pt", "fr", "de", "it", "ca"}

const nLang = 7

// maxDetect bounds the bytes of a message looked at; language shows early.
const maxDetect = 1200

// Detector holds the trained tables; it is immutable and safe for concurrent use.
type Detector struct {
	grams   map[uint64][nLang]float32 // log P(gram | lang)
	unseen  [nLang]float32            // log P of a gram never seen in lang
	words   map[uint64][nLang]float32 // log P(word | lang), folded words
	wunseen [nLang]float32
}

// Weights of the two evidence sources and the prior favouring es and en
// when the evidence is even.
const (
	wordWeight = 3.0
	gramWeight = 1.0
)

var prior = [nLang]float32{0.8, 1.2, 0, 0, 0, 0, -0.8}

// New trains a detector from the embedded corpora.
func New() *Detector {
	d := &Detector{grams: map[uint64][nLang]float32{}, words: map[uint64][nLang]float32{}}
	gcount := map[uint64]*[nLang]float32{}
	wcount := map[uint64]*[nLang]float32{}
	var gtot, wtot [nLang]float32
	for li, code := range Supported {
		data, err := corpus.ReadFile("corpus/" + code + ".txt")
		if err != nil {
			continue // embedded at build time; absent only if the tree is broken
		}
		text := strings.ToLower(string(data))
		// Train on the text as written and without accents, so that unaccented
		// typing still looks like its language.
		for _, variant := range []string{text, textproc.Fold(text)} {
			eachGram(variant, func(h uint64) {
				c := gcount[h]
				if c == nil {
					c = new([nLang]float32)
					gcount[h] = c
				}
				c[li]++
				gtot[li]++
			})
		}
		for _, w := range textproc.Tokens(textproc.Fold(text)) {
			h := textproc.HashString('L', w)
			c := wcount[h]
			if c == nil {
				c = new([nLang]float32)
				wcount[h] = c
			}
			c[li]++
			wtot[li]++
		}
	}
	const alpha = 0.3
	gv, wv := float32(len(gcount)), float32(len(wcount))
	for li := 0; li < nLang; li++ {
		d.unseen[li] = logf(alpha / (gtot[li] + alpha*gv))
		d.wunseen[li] = logf(alpha / (wtot[li] + alpha*wv))
	}
	for h, c := range gcount {
		var lp [nLang]float32
		for li := 0; li < nLang; li++ {
			lp[li] = logf((c[li] + alpha) / (gtot[li] + alpha*gv))
		}
		d.grams[h] = lp
	}
	for h, c := range wcount {
		var lp [nLang]float32
		for li := 0; li < nLang; li++ {
			lp[li] = logf((c[li] + alpha) / (wtot[li] + alpha*wv))
		}
		d.words[h] = lp
	}
	return d
}

func logf(x float32) float32 { return float32(math.Log(float64(x))) }

// eachGram calls f with the hash of every 1-, 2- and 3-gram of letters in s,
// words padded with a space on each side.
func eachGram(s string, f func(uint64)) {
	var win [3]rune
	n := 0
	push := func(r rune) {
		win[0], win[1], win[2] = win[1], win[2], r
		if n < 3 {
			n++
		}
		f(uint64(r) | 1<<62)
		if n >= 2 && !(win[1] == ' ' && win[2] == ' ') {
			f(uint64(win[1])<<21 | uint64(win[2]) | 2<<62)
		}
		if n >= 3 {
			f(uint64(win[0])<<42 | uint64(win[1])<<21 | uint64(win[2]) | 3<<62)
		}
	}
	prevSpace := true
	push(' ')
	for _, r := range s {
		if unicode.IsLetter(r) || r == '·' {
			push(unicode.ToLower(r))
			prevSpace = false
		} else if !prevSpace {
			push(' ')
			prevSpace = true
		}
	}
	if !prevSpace {
		push(' ')
	}
}

// Result is a detection: the language code ("" when the text has no letters)
// and a confidence in [0,1].
type Result struct {
	Lang       string  `json:"lang"`
	Confidence float64 `json:"confidence"`
}

// Detect returns the most likely language of text.
func (d *Detector) Detect(text string) Result { return d.DetectPrefer(text, nil, 0) }

// DetectPrefer is Detect, except that a language in prefer wins over a
// better-scoring other language unless that one leads by more than slack
// (in log-likelihood units). Short, ambiguous messages to an es/en desk are
// far more likely es or en than Catalan.
func (d *Detector) DetectPrefer(text string, prefer []string, slack float32) Result {
	text = textproc.Truncate(text, maxDetect)
	if !hasLetters(text) {
		return Result{}
	}
	var score [nLang]float32
	grams := 0
	eachGram(text, func(h uint64) {
		lp, ok := d.grams[h]
		if !ok {
			return // a gram no language has seen says nothing
		}
		grams++
		for li := range score {
			score[li] += gramWeight * lp[li]
		}
	})
	if grams == 0 {
		return Result{}
	}
	for _, w := range textproc.Tokens(text) {
		if w[0] >= '0' && w[0] <= '9' || w[0] == '#' {
			continue
		}
		lp, ok := d.words[textproc.HashString('L', w)]
		if !ok {
			continue
		}
		for li := range score {
			score[li] += wordWeight * lp[li]
		}
	}
	best, second := 0, -1
	for li := range score {
		score[li] += prior[li]
		if li == 0 {
			continue
		}
		if score[li] > score[best] {
			best, second = li, best
		} else if second < 0 || score[li] > score[second] {
			second = li
		}
	}
	if slack > 0 && !slices.Contains(prefer, Supported[best]) {
		pb := -1
		for li, code := range Supported {
			if slices.Contains(prefer, code) && (pb < 0 || score[li] > score[pb]) {
				pb = li
			}
		}
		if pb >= 0 && score[best]-score[pb] < slack {
			best, second = pb, best
		}
	}
	// Confidence: the posterior of the best language against the runner-up.
	gap := float64(score[best] - score[second])
	return Result{Lang: Supported[best], Confidence: 1 / (1 + math.Exp(-gap))}
}

// hasLetters reports whether s has any letter; used by callers to tell
// "no language" from "unknown language".
func hasLetters(s string) bool {
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if unicode.IsLetter(r) {
			return true
		}
		s = s[n:]
	}
	return false
}
