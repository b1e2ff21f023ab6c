package channels

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/intake-support/intake/store"
)

// drain dequeues from queue and hands each delivery to handle until ctx is
// done. It sleeps poll between empty dequeues unless woken.
func drain(ctx context.Context, s store.Queues, queue string, visibility, poll time.Duration,
	wake <-chan struct{}, log *slog.Logger, handle func(context.Context, store.Delivery)) error {
	failures := 0
	for {
		if ctx.Err() != nil {
			return nil
		}
		d, err := s.Dequeue(ctx, queue, visibility)
		switch {
		case err == nil:
			failures = 0
			handle(ctx, d)
			continue
		case errors.Is(err, store.ErrEmpty):
			failures = 0
		case ctx.Err() != nil:
			return nil
		default:
			failures++
			log.Warn("dequeue failed; retrying", "queue", queue, "err", err)
		}
		wait := poll
		if failures > 0 {
			wait = backoff(failures)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-time.After(wait):
		}
	}
}

// backoff is the retry delay after the given number of failed attempts:
// exponential from one second, capped at ten minutes.
func backoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	if attempt > 10 {
		return 10 * time.Minute
	}
	d := time.Second << (attempt - 1)
	if d > 10*time.Minute {
		d = 10 * time.Minute
	}
	return d
}
