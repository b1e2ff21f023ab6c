package model

import (
	"math"

	"github.com/intake-support/intake/internal/textproc"
)

// term is one weighted feature of a vector.
type term struct {
	id int32
	v  float32
}

// vocab maps feature hashes to dense ids and holds their idf.
type vocab struct {
	ids map[uint64]int32
	df  []int32
	idf []float32
}

func newVocab() *vocab { return &vocab{ids: make(map[uint64]int32)} }

// groupWeight scales each feature group after tf-idf; words and stems carry most of
// the meaning, character n-grams rescue typos and inflections.
func groupWeight(g byte) float32 {
	switch g {
	case textproc.GroupWord, textproc.GroupWritten:
		return 1
	case textproc.GroupBigram:
		return 0.6
	default:
		return 0.35
	}
}

// vectorize turns features into an L2-normalized tf-idf vector over known
// features; unknown features are dropped.
func (v *vocab) vectorize(fs []textproc.Feature, dst []term) []term {
	dst = dst[:0]
	var norm float64
	for _, f := range fs {
		id, ok := v.ids[f.Hash]
		if !ok {
			continue
		}
		w := (1 + float32(math.Log(float64(f.Count)))) * v.idf[id] * groupWeight(f.Group)
		dst = append(dst, term{id, w})
		norm += float64(w * w)
	}
	if norm > 0 {
		inv := float32(1 / math.Sqrt(norm))
		for i := range dst {
			dst[i].v *= inv
		}
	}
	return dst
}
