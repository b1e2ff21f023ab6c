package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

// preloadIncidents stores n resolved email incidents, as months of use
// leave them, in the store a gateway run will open (dir is the run's folder,
// for a relative bolt path). Writers run side by side so that the embedded
// store's group commit and Redis' pipelining keep the preload short.
func preloadIncidents(ctx context.Context, storeSpec, dir string, n int) error {
	var st config.Store
	switch {
	case strings.HasPrefix(storeSpec, "bolt:"):
		st = config.Store{Kind: config.StoreBolt, Path: filepath.Join(dir, strings.TrimPrefix(storeSpec, "bolt:"))}
	default:
		st = config.Store{Kind: config.StoreRedis, URL: storeSpec}
	}
	s, err := openStore(ctx, st, "bench-preload")
	if err != nil {
		return err
	}
	defer s.Close()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	created := time.Now().Add(-90 * 24 * time.Hour)
	for range 32 {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || ctx.Err() != nil {
					return
				}
				if err := preloadOne(ctx, s, i, created); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fmt.Errorf("preload incidents: %w", err)
	}
	return ctx.Err()
}

type incidentWriter interface {
	NextIncidentID(ctx context.Context) (intake.IncidentID, error)
	CreateIncident(ctx context.Context, inc *intake.Incident, keys []intake.ThreadKey) error
}

func preloadOne(ctx context.Context, s incidentWriter, i int64, created time.Time) error {
	id, err := s.NextIncidentID(ctx)
	if err != nil {
		return err
	}
	at := created.Add(time.Duration(i) * time.Minute)
	customer := fmt.Sprintf("old-%d@cliente.example", i)
	msgID := fmt.Sprintf("old-%d@cliente.example", i)
	inc := &intake.Incident{
		ID:           id,
		Status:       intake.StatusResolved,
		Customer:     intake.Customer{Channel: intake.ChannelEmail, ID: customer},
		Conversation: intake.Conversation{Channel: intake.ChannelEmail, Address: customer, Subject: "No puedo entrar", References: []string{msgID}},
		Subject:      "No puedo entrar",
		Language:     "es",
		Category:     "account",
		Resolution:   "answered from the knowledge base: password-reset",
		Timeline: []intake.Event{
			{Kind: intake.EventMessage, At: at, Actor: customer, Channel: intake.ChannelEmail, MessageID: intake.MessageID(msgID), Text: "Olvidé mi contraseña"},
			{Kind: intake.EventStatus, At: at.Add(time.Second), Actor: "bot", From: intake.StatusNew, To: intake.StatusResolved},
		},
		CreatedAt: at,
		UpdatedAt: at.Add(time.Second),
	}
	return s.CreateIncident(ctx, inc, []intake.ThreadKey{intake.EmailThreadKey(msgID)})
}
