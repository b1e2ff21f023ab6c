package model

import (
	"math"
	"sync"

	"github.com/intake-support/intake/internal/textproc"
)

// Hit is one ranked article.
type Hit struct {
	Article int     // index into Articles()
	Score   float32 // combined score
}

// Result is the model's view of one message.
type Result struct {
	Hits []Hit // best first, at most TopK
	// Confidence is the calibrated probability that Hits[0] is right.
	Confidence float64
	// Margin is the score gap between the first and second hit; Top is the
	// first hit's score; Known is the share of the message's words the model
	// has seen in training.
	Margin, Top, Known float32
}

// TopK is how many hits a Result keeps.
const TopK = 5

type scratch struct {
	lin, bm []float32
	fs      []textproc.Feature
	x       []term
}

var pool sync.Pool

func (m *Model) scratch() *scratch {
	s, _ := pool.Get().(*scratch)
	if s == nil {
		s = &scratch{}
	}
	n := len(m.articles)
	if cap(s.lin) < n {
		s.lin, s.bm = make([]float32, n), make([]float32, n)
	}
	s.lin, s.bm = s.lin[:n], s.bm[:n]
	clear(s.lin)
	clear(s.bm)
	return s
}

// Predict ranks the articles for text written in lang.
func (m *Model) Predict(text, lang string) Result {
	// Stems only match the KB's when the message is analysed in a language
	// the KB was written in: a message detected as another language (often a
	// short or mixed text) is analysed as the KB's main language.
	if _, ok := m.langs[lang]; !ok && m.mainLang != "" {
		lang = m.mainLang
	}
	raw, terms := m.an.Analyze(text, lang)
	if len(terms) == 0 {
		return Result{}
	}
	s := m.scratch()
	defer pool.Put(s)
	s.fs = m.an.Features(raw, terms, s.fs)
	s.x = m.voc.vectorize(s.fs, s.x)
	if m.biasID >= 0 {
		s.x = append(s.x, term{m.biasID, m.biasV})
	}
	m.lin.score(s.x, s.lin)
	q := make([]uint64, len(terms))
	known := 0
	for i, t := range terms {
		q[i] = textproc.HashString(textproc.GroupWord, t)
		if _, ok := m.voc.ids[q[i]]; ok {
			known++
		}
	}
	max := m.ix.score(q, s.bm)
	var res Result
	res.Known = float32(known) / float32(len(terms))
	bw := m.opts.BM25Weight
	if max > 0 {
		bw /= max
	}
	top := make([]Hit, 0, TopK)
	for i := range s.lin {
		top = insertHit(top, Hit{i, s.lin[i] + bw*s.bm[i]})
	}
	res.Hits = top
	if len(top) > 0 {
		res.Top = top[0].Score
		if len(top) > 1 {
			res.Margin = top[0].Score - top[1].Score
		} else {
			res.Margin = top[0].Score
		}
	}
	res.Confidence = calibrate(res)
	return res
}

// insertHit adds h to top, kept best first and at most TopK long; among equal
// scores the earlier article stays first.
func insertHit(top []Hit, h Hit) []Hit {
	n := len(top)
	if n == TopK && h.Score <= top[n-1].Score {
		return top
	}
	p := n
	for p > 0 && top[p-1].Score < h.Score {
		p--
	}
	if n < TopK {
		top = append(top, Hit{})
	}
	copy(top[p+1:], top[p:len(top)-1])
	top[p] = h
	return top
}

// Calibration constants, fitted on the dev splits of the eval sets: a
// logistic function of the top score, the margin and the share
// of known words.
var calA, calB, calC, calD = -0.351, 4.421, -0.136, -0.471

func calibrate(r Result) float64 {
	if len(r.Hits) == 0 {
		return 0
	}
	z := calA*float64(r.Top) + calB*float64(r.Margin) + calC*float64(r.Known) + calD
	return 1 / (1 + math.Exp(-z))
}
