package model

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// TestInsertHitKeepsTheBestFirst compares the running top-K with a stable
// sort of every score, ties included (scores are drawn from a few values).
func TestInsertHitKeepsTheBestFirst(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 500; round++ {
		n := rng.IntN(12)
		all := make([]Hit, n)
		var top []Hit
		for i := range all {
			all[i] = Hit{i, float32(rng.IntN(4))}
			top = insertHit(top, all[i])
		}
		sort.SliceStable(all, func(a, b int) bool { return all[a].Score > all[b].Score })
		if len(all) > TopK {
			all = all[:TopK]
		}
		if !slices.Equal(top, all) {
			t.Fatalf("round %d: running top %v, sorted %v", round, top, all)
		}
	}
}
