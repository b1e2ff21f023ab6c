package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
)

// outbox runs `intake outbox list|retry`: the replies that could not be
// delivered, and sending them again. It works on the store directly, or,
// when a running gateway holds the embedded store's lock, through that
// gateway's API (http.listen, http.api_token).
func outbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "retry") {
		fmt.Fprintln(stderr, "usage: intake outbox list -config FILE | intake outbox retry -config FILE [-all] [ID...]")
		return exitCode(2)
	}
	verb := args[0]
	fs := flag.NewFlagSet("outbox "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration `FILE`")
	all := fs.Bool("all", false, "retry every dead reply")
	if err := fs.Parse(args[1:]); err != nil {
		return exitCode(2)
	}
	ids := fs.Args()
	if verb == "retry" && (*all == (len(ids) > 0)) {
		fmt.Fprintln(stderr, "intake outbox retry: name reply IDs or give -all (not both)")
		return exitCode(2)
	}
	cfg, err := loadConfig(*path, stderr)
	if err != nil {
		return err
	}
	q, closeQ, err := openDeadQueue(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeQ()
	dead, err := q.list(ctx)
	if err != nil {
		return err
	}
	if verb == "list" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"replies": dead})
	}
	if *all {
		for _, d := range dead {
			ids = append(ids, d.ID)
		}
	}
	failed := 0
	for _, id := range ids {
		if err := q.retry(ctx, id); err != nil {
			fmt.Fprintf(stderr, "intake outbox retry: %s: %v\n", id, err)
			failed++
			continue
		}
		fmt.Fprintf(stdout, "retried %s\n", id)
	}
	if failed > 0 {
		return exitCode(1)
	}
	return nil
}

// deadQueue is the outbox's dead-letter queue, reached one way or another.
type deadQueue interface {
	list(ctx context.Context) ([]channels.DeadReply, error)
	retry(ctx context.Context, id string) error
}

func openDeadQueue(ctx context.Context, cfg *config.Config) (deadQueue, func(), error) {
	st, err := openStore(ctx, cfg.Store, cfg.Instance)
	if errors.Is(err, bolt.ErrLocked) {
		api := &apiDeadQueue{base: "http://" + cfg.HTTP.Listen, token: cfg.HTTP.APIToken, client: &http.Client{Timeout: 30 * time.Second}}
		return api, func() {}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return storeDeadQueue{st}, func() { _ = st.Close() }, nil
}

type storeDeadQueue struct{ st store.Store }

func (q storeDeadQueue) list(ctx context.Context) ([]channels.DeadReply, error) {
	return channels.ListDead(ctx, q.st, 0)
}

func (q storeDeadQueue) retry(ctx context.Context, id string) error {
	return channels.RetryDead(ctx, q.st, id, "cli", time.Now())
}

// apiDeadQueue reaches the dead-letter queue through a running gateway.
type apiDeadQueue struct {
	base, token string
	client      *http.Client
}

func (q *apiDeadQueue) do(ctx context.Context, method, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, q.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+q.token)
	resp, err := q.client.Do(req)
	if err != nil {
		return fmt.Errorf("the store is locked by a running gateway and its API cannot be reached: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e)
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, e.Error)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (q *apiDeadQueue) list(ctx context.Context) ([]channels.DeadReply, error) {
	var out struct{ Replies []channels.DeadReply }
	err := q.do(ctx, http.MethodGet, "/api/v1/outbox/dead?limit=1000", &out)
	return out.Replies, err
}

func (q *apiDeadQueue) retry(ctx context.Context, id string) error {
	return q.do(ctx, http.MethodPost, "/api/v1/outbox/dead/"+url.PathEscape(id)+"/retry", nil)
}
