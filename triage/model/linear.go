package model

import (
	"math"
	"math/rand/v2"
)

// linear is a sparse multiclass linear model stored by feature: row f lists
// the classes with a non-zero weight for feature f.
type linear struct {
	start []int32 // row f is cls/w[start[f]:start[f+1]]
	cls   []int32
	w     []float32
}

type trainEntry struct {
	c    int32
	w, u float32
}

// example is a training vector with its class.
type example struct {
	x []term
	y int32
}

// trainPA fits an averaged multiclass passive-aggressive (PA-I) model: on a
// margin violation it moves the true class towards x and the most offending
// class away from it. Averaging makes it behave like a regularised SVM.
func trainPA(exs []example, nfeat, ncls, epochs int, c float32, seed uint64) *linear {
	rows := make([][]trainEntry, nfeat)
	scores := make([]float32, ncls)
	touched := make([]int32, 0, ncls)
	order := make([]int, len(exs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	var t float32 = 1
	// pos finds a class's entry in a feature's row without scanning rows
	// that, for common words in a large KB, hold thousands of classes.
	pos := make(map[uint64]int32)
	update := func(x []term, cl int32, step float32) {
		for _, tm := range x {
			r := rows[tm.id]
			key := uint64(tm.id)<<32 | uint64(uint32(cl))
			j, ok := pos[key]
			if !ok {
				r = append(r, trainEntry{c: cl})
				j = int32(len(r) - 1)
				rows[tm.id] = r
				pos[key] = j
			}
			d := step * tm.v
			r[j].w += d
			r[j].u += t * d
		}
	}
	for ep := 0; ep < epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			ex := exs[i]
			touched = touched[:0]
			for _, tm := range ex.x {
				for _, e := range rows[tm.id] {
					if scores[e.c] == 0 {
						touched = append(touched, e.c)
					}
					scores[e.c] += tm.v * e.w
				}
			}
			sy := scores[ex.y]
			// The most offending other class; untouched classes score 0.
			r, sr := int32(-1), float32(-1e30)
			for _, cl := range touched {
				if cl != ex.y && scores[cl] > sr {
					r, sr = cl, scores[cl]
				}
			}
			if (sr < 0 || r < 0) && len(touched) < ncls {
				// An untouched class scores 0 and offends more: probe a few at random.
				for try := 0; try < 8; try++ {
					k := int32(rng.IntN(ncls))
					if k != ex.y && scores[k] == 0 {
						r, sr = k, 0
						break
					}
				}
			}
			for _, cl := range touched {
				scores[cl] = 0
			}
			if r < 0 {
				t++
				continue
			}
			loss := 1 - (sy - sr)
			if loss > 0 {
				var n2 float32
				for _, tm := range ex.x {
					n2 += tm.v * tm.v
				}
				if n2 > 0 {
					tau := loss / (2 * n2)
					if tau > c {
						tau = c
					}
					update(ex.x, ex.y, tau)
					update(ex.x, r, -tau)
				}
			}
			t++
		}
	}
	m := &linear{start: make([]int32, nfeat+1)}
	for f, r := range rows {
		for _, e := range r {
			w := e.w - e.u/t
			if w > pruneBelow || w < -pruneBelow {
				m.cls = append(m.cls, e.c)
				m.w = append(m.w, w)
			}
		}
		m.start[f+1] = int32(len(m.cls))
	}
	return m
}

// score adds x·W into scores (len = classes).
func (m *linear) score(x []term, scores []float32) {
	for _, tm := range x {
		a, b := m.start[tm.id], m.start[tm.id+1]
		cls, w := m.cls[a:b], m.w[a:b]
		for k, c := range cls {
			scores[c] += tm.v * w[k]
		}
	}
}

// centroids is the cheap model for very large KBs, where passive-aggressive
// training would cost minutes: each class's weights are the normalized sum
// of its examples.
func centroids(exs []example, nfeat, ncls int) *linear {
	sum := make([]map[int32]float32, ncls)
	for _, ex := range exs {
		if sum[ex.y] == nil {
			sum[ex.y] = map[int32]float32{}
		}
		for _, tm := range ex.x {
			sum[ex.y][tm.id] += tm.v
		}
	}
	rows := make([][]trainEntry, nfeat)
	for c, m := range sum {
		var n2 float32
		for _, v := range m {
			n2 += v * v
		}
		if n2 == 0 {
			continue
		}
		inv := 1 / float32(math.Sqrt(float64(n2)))
		for f, v := range m {
			rows[f] = append(rows[f], trainEntry{c: int32(c), w: v * inv})
		}
	}
	m := &linear{start: make([]int32, nfeat+1)}
	for f, r := range rows {
		for _, e := range r {
			m.cls = append(m.cls, e.c)
			m.w = append(m.w, e.w)
		}
		m.start[f+1] = int32(len(m.cls))
	}
	return m
}

// pruneBelow drops trained weights this close to zero: they change no
// ranking but, in rows of common words, cost time on every prediction.
const pruneBelow = 1e-2
