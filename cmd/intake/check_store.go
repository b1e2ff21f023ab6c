package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/store/bolt"
	"github.com/intake-support/intake/store/redis"
)

// checkStore opens the configured store as serve would and checks it: every
// page of the embedded store's file (bbolt's consistency check, which the
// gateway runs at start only after an unclean shutdown), or that Redis
// answers. The embedded store must not be open in a running gateway.
func checkStore(cfg config.Store) error {
	switch cfg.Kind {
	case config.StoreBolt:
		if _, err := os.Stat(cfg.Path); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		s, err := bolt.Open(cfg.Path, bolt.WithFullCheck())
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return s.Close()
	case config.StoreRedis:
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		s, err := redis.Open(ctx, cfg.URL)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		defer s.Close()
		return s.Ping(ctx)
	}
	return fmt.Errorf("store: unknown kind %q", cfg.Kind)
}
