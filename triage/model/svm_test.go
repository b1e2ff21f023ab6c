package model

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// argmax returns the class with the highest score for x.
func argmax(l *linear, x []term, ncls int) int32 {
	s := make([]float32, ncls)
	l.score(x, s)
	best := 0
	for i := range s {
		if s[i] > s[best] {
			best = i
		}
	}
	return int32(best)
}

// Three classes, each marked by its own features plus shared noise: the
// SVMs and passive-aggressive training both separate them, the same way on
// every run.
func TestTrainersSeparateClasses(t *testing.T) {
	const ncls, nfeat, bias = 3, 40, 39
	rng := rand.New(rand.NewPCG(7, 7))
	var exs []example
	for i := range 600 {
		y := int32(i % ncls)
		x := []term{{y * 10, 0.6}, {y*10 + 1 + int32(rng.IntN(9)), 0.5}}
		for range 3 {
			x = append(x, term{int32(30 + rng.IntN(9)), 0.3})
		}
		exs = append(exs, example{x: append(x, term{bias, 1}), y: y})
	}
	trainers := map[string]func() *linear{
		"svm": func() *linear { return trainSVM(exs, nfeat, ncls, 0.3, 1) },
		"pa":  func() *linear { return trainPA(exs, nfeat, ncls, 12, 0.3, 1) },
	}
	for name, train := range trainers {
		l := train()
		for _, ex := range exs {
			if got := argmax(l, ex.x, ncls); got != ex.y {
				t.Fatalf("%s: example of class %d classified as %d", name, ex.y, got)
			}
		}
		again := train()
		if !slices.Equal(l.w, again.w) || !slices.Equal(l.cls, again.cls) || !slices.Equal(l.start, again.start) {
			t.Errorf("%s: two trainings on the same data differ", name)
		}
	}
}
