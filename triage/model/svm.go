package model

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// trainSVM fits one-vs-rest linear SVMs with the squared hinge loss and L2
// regularisation by dual coordinate descent (Hsieh et al. 2008, the
// algorithm of LIBLINEAR). Each class is an independent binary problem, so
// classes train in parallel; the result is deterministic.
func trainSVM(exs []example, nfeat, ncls int, c float32, seed uint64) *linear {
	qd := make([]float32, len(exs))
	d := 1 / (2 * c)
	for i, ex := range exs {
		var n2 float32
		for _, tm := range ex.x {
			n2 += tm.v * tm.v
		}
		qd[i] = n2 + d
	}
	// Each class's dense weights are cut down to the ones that matter as
	// soon as it is trained, so memory holds one dense vector per worker.
	type weight struct {
		f int32
		w float32
	}
	kept := make([][]weight, ncls)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for k := range ncls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			for f, v := range binarySVM(exs, qd, d, nfeat, int32(k), seed+uint64(k)) {
				if v > pruneBelow || v < -pruneBelow {
					kept[k] = append(kept[k], weight{int32(f), v})
				}
			}
		}()
	}
	wg.Wait()
	// Regroup by feature: row f lists its classes in class order.
	m := &linear{start: make([]int32, nfeat+1)}
	for _, ws := range kept {
		for _, e := range ws {
			m.start[e.f+1]++
		}
	}
	for f := range nfeat {
		m.start[f+1] += m.start[f]
	}
	m.cls, m.w = make([]int32, m.start[nfeat]), make([]float32, m.start[nfeat])
	next := slices.Clone(m.start[:nfeat])
	for k, ws := range kept {
		for _, e := range ws {
			i := next[e.f]
			m.cls[i], m.w[i] = int32(k), e.w
			next[e.f]++
		}
	}
	return m
}

// svmEpochs bounds the passes of one binary problem; svmTolerance is the
// projected-gradient spread at which it has converged.
const (
	svmEpochs    = 200
	svmTolerance = 0.1
)

func binarySVM(exs []example, qd []float32, d float32, nfeat int, class int32, seed uint64) []float32 {
	w := make([]float32, nfeat)
	alpha := make([]float32, len(exs))
	order := make([]int, len(exs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, 0x2545f4914f6cdd1d))
	for ep := 0; ep < svmEpochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		var maxPG, minPG float32 = -1e30, 1e30
		for _, i := range order {
			ex := exs[i]
			var y float32 = -1
			if ex.y == class {
				y = 1
			}
			var g float32
			for _, tm := range ex.x {
				g += w[tm.id] * tm.v
			}
			g = y*g - 1 + d*alpha[i]
			pg := g
			if alpha[i] == 0 && g > 0 {
				pg = 0
			}
			maxPG, minPG = max(maxPG, pg), min(minPG, pg)
			if pg > 1e-12 || pg < -1e-12 {
				old := alpha[i]
				alpha[i] = max(old-g/qd[i], 0)
				step := (alpha[i] - old) * y
				for _, tm := range ex.x {
					w[tm.id] += step * tm.v
				}
			}
		}
		if maxPG-minPG < svmTolerance {
			break
		}
	}
	return w
}
