package channels

import (
	"time"
)

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
