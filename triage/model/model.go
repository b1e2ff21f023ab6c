package model

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/intake-support/intake/internal/textproc"
	"github.com/intake-support/intake/triage/kb"
)

// Options tune training; the zero value means the defaults.
type Options struct {
	// Epochs of passive-aggressive training (default 12).
	Epochs int
	// C bounds one update's step (default 0.3). Setting it also keeps
	// passive-aggressive training for KBs with more than 300 examples per
	// article, which otherwise get one-vs-rest SVMs.
	C float32
	// BM25Weight mixes normalized BM25 into the linear score (default 0.3).
	BM25Weight float32

	fixedC bool
}

func (o *Options) defaults() {
	if o.Epochs == 0 {
		o.Epochs = 12
	}
	if o.C == 0 {
		o.C = 0.3
	} else {
		o.fixedC = true
	}
	if o.BM25Weight == 0 {
		o.BM25Weight = 0.3
	}
}

// biasValue is the constant feature's value, used when articles average at
// least biasPerArticle training texts (enough to learn how common each is;
// a hand-written KB has a handful of questions per article and no priors to
// learn). Articles that average more than manyPerArticle training texts
// (ticket histories: noisy, plentiful) are learned by one-vs-rest SVMs with
// regularisation svmC instead: passive-aggressive training follows the noise
// there, and the SVMs are 0.5-1 point more accurate, while with fewer
// examples per article passive-aggressive is 1-2 points better (dev splits:
// it_tickets has ~1,250 texts per label, CLINC150 100, StackFAQ 1).
const (
	biasValue      = 0.3
	biasPerArticle = 20
	manyPerArticle = 300
	svmC           = 0.3
)

// MaxTrainedArticles is the KB size above which the model falls back from
// passive-aggressive training to per-article centroids, whose build time
// stays linear in the examples.
const MaxTrainedArticles = 2000

// Model classifies a message into a KB article. It is immutable once built
// and safe for concurrent use.
type Model struct {
	opts     Options
	an       *textproc.Analyzer
	articles []*kb.Article
	voc      *vocab
	lin      *linear
	// bias is a constant feature (id biasID, value biasV) that lets the
	// trained model learn class priors; biasID < 0 when unused.
	biasID int32
	biasV  float32
	// langs counts training texts by language; mainLang is the most common.
	langs    map[string]int
	mainLang string
	ix       *bm25
}

// Build trains a model on the knowledge base's example questions, titles and
// keywords and indexes its articles for retrieval.
func Build(k *kb.KB, opts Options) (*Model, error) {
	opts.defaults()
	if k == nil || len(k.Articles) == 0 {
		return nil, fmt.Errorf("build model: %w", kb.ErrNoArticles)
	}
	m := &Model{opts: opts, articles: k.Articles, voc: newVocab()}
	m.an = textproc.NewAnalyzer(k.Synonyms(textproc.Fold))
	type raw struct {
		fs []textproc.Feature
		y  int32
	}
	var raws []raw
	docs := make([][]uint64, len(k.Articles))
	m.langs = map[string]int{}
	addEx := func(text, lang string, y int, inDoc bool) {
		if lang != "" {
			m.langs[lang]++
		}
		words, terms := m.an.Analyze(text, lang)
		if len(terms) == 0 {
			return
		}
		fs := m.an.Features(words, terms, nil)
		raws = append(raws, raw{fs, int32(y)})
		if inDoc {
			for _, t := range terms {
				docs[y] = append(docs[y], textproc.HashString(textproc.GroupWord, t))
			}
		}
	}
	for i, a := range k.Articles {
		n := 0
		for _, lang := range sortedKeys(a.Questions) {
			for _, q := range a.Questions[lang] {
				addEx(q, lang, i, true)
				n++
			}
		}
		for _, lang := range sortedKeys(a.Title) {
			addEx(a.Title[lang], lang, i, true)
			n++
		}
		if len(a.Keywords) > 0 {
			addEx(strings.Join(a.Keywords, " "), "", i, true)
			n++
		}
		for _, lang := range sortedKeys(a.Answer) {
			text := a.Answer[lang]
			if n == 0 {
				addEx(text, lang, i, false)
			}
			for _, t := range m.an.Terms(text, lang) {
				docs[i] = append(docs[i], textproc.HashString(textproc.GroupWord, t))
			}
		}
	}
	for _, l := range sortedKeys(m.langs) {
		if m.mainLang == "" || m.langs[l] > m.langs[m.mainLang] {
			m.mainLang = l
		}
	}
	// Vocabulary and idf over training examples.
	for _, r := range raws {
		for _, f := range r.fs {
			id, ok := m.voc.ids[f.Hash]
			if !ok {
				id = int32(len(m.voc.df))
				m.voc.ids[f.Hash] = id
				m.voc.df = append(m.voc.df, 0)
			}
			m.voc.df[id]++
		}
	}
	n := float64(len(raws))
	m.voc.idf = make([]float32, len(m.voc.df))
	for i, df := range m.voc.df {
		m.voc.idf[i] = float32(math.Log((n+1)/(float64(df)+1)) + 1)
	}
	exs := make([]example, 0, len(raws))
	for _, r := range raws {
		exs = append(exs, example{x: m.voc.vectorize(r.fs, nil), y: r.y})
	}
	m.biasID = -1
	if len(k.Articles) > MaxTrainedArticles {
		m.lin = centroids(exs, len(m.voc.df), len(k.Articles))
	} else {
		per := float32(len(exs)) / float32(len(k.Articles))
		svm := per > manyPerArticle && !opts.fixedC
		if per >= biasPerArticle {
			// The SVMs' bias is the intercept of each binary problem,
			// with LIBLINEAR's unit value.
			m.biasID, m.biasV = int32(len(m.voc.df)), biasValue
			if svm {
				m.biasV = 1
			}
			for i := range exs {
				exs[i].x = append(exs[i].x, term{m.biasID, m.biasV})
			}
		}
		if svm {
			m.lin = trainSVM(exs, len(m.voc.df)+1, len(k.Articles), svmC, 1)
		} else {
			m.lin = trainPA(exs, len(m.voc.df)+1, len(k.Articles), opts.Epochs, opts.C, 1)
		}
	}
	m.ix = newBM25(docs)
	return m, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Articles returns the articles the model ranks, by index.
func (m *Model) Articles() []*kb.Article { return m.articles }
