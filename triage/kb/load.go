package kb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/intake-support/intake/internal/yamlerr"
)

// Problem is one error in a KB file, with its position; its Error method
// formats it as FILE:LINE:COL: message. It is config.Error too, so that
// `intake check` lists both alike.
type Problem = yamlerr.Problem

// LoadError lists every problem found while loading a KB folder; its message
// has one FILE:LINE:COL: message line per problem.
type LoadError struct{ Problems []Problem }

func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// ErrNoArticles is returned when a KB folder holds no article.
var ErrNoArticles = errors.New("knowledge base has no articles")

// Load reads every *.yaml and *.yml file in dir (not recursive), in name
// order. It returns a *LoadError listing every syntax or schema problem, or
// an error wrapping the I/O failure.
func Load(dir string) (*KB, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load kb %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
			names = append(names, filepath.Join(dir, n))
		}
	}
	sort.Strings(names)
	var (
		all   []*Article
		probs []Problem
		seen  = map[string]*Article{}
	)
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("load kb: %w", err)
		}
		arts, ps := Parse(name, data)
		probs = append(probs, ps...)
		for _, a := range arts {
			if prev, dup := seen[a.ID]; dup {
				probs = append(probs, Problem{File: name, Line: a.Line, Col: 1, Msg: fmt.Sprintf("duplicate article id %q (first at %s:%d)", a.ID, prev.File, prev.Line)})
				continue
			}
			seen[a.ID] = a
			all = append(all, a)
		}
	}
	if len(probs) > 0 {
		return nil, &LoadError{Problems: probs}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("load kb %s: %w", dir, ErrNoArticles)
	}
	return New(all)
}
