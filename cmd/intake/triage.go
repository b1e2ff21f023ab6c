package main

import (
	"errors"

	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/triage"
	"github.com/intake-support/intake/triage/kb"
)

// loadExtras loads what the configuration refers to and config alone cannot
// check: the knowledge base. Its problems come back as config.Errors so that
// check prints them like the rest.
func loadExtras(cfg *config.Config) error {
	_, err := loadKB(cfg)
	return err
}

func loadKB(cfg *config.Config) (*triage.KB, error) {
	k, err := triage.LoadKB(cfg.Triage.KnowledgeBase)
	if err == nil {
		if probs := kb.CheckCategories(k, configCategories(cfg)...); len(probs) > 0 {
			err = &kb.LoadError{Problems: probs}
		}
	}
	var le *kb.LoadError
	if errors.As(err, &le) {
		return nil, config.Errors(le.Problems)
	}
	return k, err
}

// configCategories are the categories the configuration names: the keys of
// triage.details and the routing rules' categories.
func configCategories(cfg *config.Config) []string {
	var out []string
	for c := range cfg.Triage.Details {
		out = append(out, c)
	}
	for _, r := range cfg.Routing {
		out = append(out, r.When.Category...)
	}
	return out
}
