package model

import "math"

// bm25 is an inverted index over article documents (title, questions,
// keywords, answer), one document per article.
type bm25 struct {
	post   map[uint64][]posting
	idf    map[uint64]float32
	docLen []float32
	avgLen float32
}

type posting struct {
	doc int32
	tf  float32
}

const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

func newBM25(docs [][]uint64) *bm25 {
	ix := &bm25{post: make(map[uint64][]posting), idf: make(map[uint64]float32), docLen: make([]float32, len(docs))}
	var total float32
	for d, terms := range docs {
		tf := make(map[uint64]float32, len(terms))
		for _, t := range terms {
			tf[t]++
		}
		for t, n := range tf {
			ix.post[t] = append(ix.post[t], posting{int32(d), n})
		}
		ix.docLen[d] = float32(len(terms))
		total += float32(len(terms))
	}
	if len(docs) > 0 {
		ix.avgLen = total / float32(len(docs))
	}
	n := float64(len(docs))
	for t, ps := range ix.post {
		df := float64(len(ps))
		ix.idf[t] = float32(math.Log(1 + (n-df+0.5)/(df+0.5)))
	}
	return ix
}

// score adds the BM25 score of the query terms into scores and returns the
// best possible score of this query (every term matched once in an average
// document), used to normalize.
func (ix *bm25) score(q []uint64, scores []float32) float32 {
	var max float32
	seen := make(map[uint64]bool, len(q))
	for _, t := range q {
		if seen[t] {
			continue
		}
		seen[t] = true
		idf, ok := ix.idf[t]
		if !ok {
			continue
		}
		max += idf
		for _, p := range ix.post[t] {
			norm := bm25K1 * (1 - bm25B + bm25B*ix.docLen[p.doc]/ix.avgLen)
			scores[p.doc] += idf * p.tf * (bm25K1 + 1) / (p.tf + norm)
		}
	}
	return max
}
