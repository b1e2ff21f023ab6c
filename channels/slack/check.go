package slack

import (
	"context"
	"fmt"

	"github.com/intake-support/intake/config"
)

// CheckScopes calls auth.test with the bot token and returns an error naming
// the scopes intake needs that the token lacks, or why the call failed. It
// returns nil when every scope is granted or Slack does not say which are.
func CheckScopes(ctx context.Context, cfg config.Slack, opts ...Option) error {
	a, err := New(cfg, nil, opts...)
	if err != nil {
		return err
	}
	auth, err := a.api.AuthTestContext(ctx)
	if err != nil {
		return fmt.Errorf("auth.test: %w", err)
	}
	if missing := missingScopes(auth.Header); len(missing) > 0 {
		return scopeError(missing)
	}
	return nil
}
