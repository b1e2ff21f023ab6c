package model

import (
	"math/rand/v2"
	"runtime"
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
	ws := make([][]float32, ncls)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for k := range ncls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			ws[k] = binarySVM(exs, qd, d, nfeat, int32(k), seed+uint64(k))
			<-sem
		}()
	}
	wg.Wait()
	m := &linear{start: make([]int32, nfeat+1)}
	for f := range nfeat {
		for k, w := range ws {
			if v := w[f]; v > pruneBelow || v < -pruneBelow {
				m.cls = append(m.cls, int32(k))
				m.w = append(m.w, v)
			}
		}
		m.start[f+1] = int32(len(m.cls))
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
