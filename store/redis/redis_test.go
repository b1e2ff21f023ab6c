package redis

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/storetest"
)

// testURL is the Redis the tests use: env INTAKE_TEST_REDIS, else database 15
// on the local default port.
func testURL() string {
	if u := os.Getenv("INTAKE_TEST_REDIS"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/15"
}

// withPrefix returns rawURL with the prefix option set.
func withPrefix(t testing.TB, rawURL, prefix string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("url.Parse(INTAKE_TEST_REDIS) = %v", err)
	}
	q := u.Query()
	q.Set("prefix", prefix)
	u.RawQuery = q.Encode()
	return u.String()
}

// requireRedis skips the test when no Redis answers, or fails it under CI=true,
// where a missing Redis is a broken set-up rather than a choice.
func requireRedis(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := Open(ctx, testURL())
	if err == nil {
		_ = s.Close()
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("Redis needed under CI=true (set INTAKE_TEST_REDIS): %v", err)
	}
	t.Skipf("no Redis answers (set INTAKE_TEST_REDIS, or CI=true to fail instead): %v", err)
}

// factory opens two clients on one fresh prefix and deletes its keys after the test.
func factory(t testing.TB) (store.Store, store.Store) {
	t.Helper()
	prefix := "intaketest:" + strings.ToLower(rand.Text()[:12]) + ":"
	rawURL := withPrefix(t, testURL(), prefix)
	var handles [2]*Store
	for i := range handles {
		s, err := Open(context.Background(), rawURL)
		if err != nil {
			t.Fatalf("Open(%q) = %v, want nil", testURL(), err)
		}
		handles[i] = s
	}
	t.Cleanup(func() {
		if err := handles[0].DeleteAll(context.Background()); err != nil {
			t.Errorf("delete keys %s*: %v", prefix, err)
		}
		for _, s := range handles {
			_ = s.Close()
		}
	})
	return handles[0], handles[1]
}

func TestConformance(t *testing.T) {
	requireRedis(t)
	storetest.Run(t, factory)
}

// TestRestart runs the recovery tests with two named instances on one
// keyspace; a restart opens a new client under the same name and abandons
// the old one as a killed process would.
func TestRestart(t *testing.T) {
	requireRedis(t)
	urls := map[store.Store]string{}
	f := func(t testing.TB) (store.Store, store.Store) {
		prefix := "intaketest:" + strings.ToLower(rand.Text()[:12]) + ":"
		rawURL := withPrefix(t, testURL(), prefix)
		var handles [2]*Store
		for i, name := range []string{"instance-a", "instance-b"} {
			s, err := Open(context.Background(), rawURL, WithInstance(name))
			if err != nil {
				t.Fatalf("Open(%q) = %v, want nil", testURL(), err)
			}
			handles[i] = s
			urls[s] = rawURL
			t.Cleanup(func() { _ = s.Close() })
		}
		t.Cleanup(func() { _ = handles[1].DeleteAll(context.Background()) })
		return handles[0], handles[1]
	}
	restart := func(t testing.TB, old store.Store) store.Store {
		s, err := Open(context.Background(), urls[old], WithInstance("instance-a"))
		if err != nil {
			t.Fatalf("Open() again = %v, want nil", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	storetest.RunRestart(t, f, restart)
}

func BenchmarkStore(b *testing.B) {
	requireRedis(b)
	storetest.Bench(b, factory)
}
