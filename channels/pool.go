package channels

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/intake-support/intake/store"
)

// shardBatch is how many messages a goroutine handles from one shard before
// it lets the other shards waiting have a turn.
const shardBatch = 32

// dequeueBatch is how many messages a goroutine takes from its shard at once,
// in one store write (a durable commit on the embedded store, a round trip on
// Redis) instead of one each. The whole batch is in flight from that write
// on, so it is kept well below what a turn may handle: fewer messages wait
// out their visibility behind the one being handled, and fewer are given
// back when the turn ends early.
const dequeueBatch = 16

// Leases that share a sharded queue (the inbox, the outbox) between
// instances, named after the queue (see shardQueues.name). An instance renews a member
// slot (the instances pack into the lowest slots), counts the live slots n
// and its rank r among them, and drains the shards i with i % n == r, each
// under a shard lease so that two instances never drain one shard at once,
// even while their counts disagree. A member slot lasts the worker's
// Visibility. A shard lease is renewed once a third of Visibility old and
// lasts a third longer than Visibility, so it never lapses before the last
// message its holder took becomes visible again: a dead instance's shards
// pass to the others with that message ready, and it is handled first.
func (p *pool) memberLease(j int) string { return fmt.Sprintf("%s.member.%d", p.q.name, j) }
func (p *pool) shardLease(i int) string  { return fmt.Sprintf("%s.shard.%d", p.q.name, i) }

// maxMembers bounds the instances that drain a sharded queue at once; more
// instances wait as spares for a slot to free up.
const maxMembers = InboxShards

// shardQueues is a queue split into InboxShards shard queues and what
// drains it: the inbox for a Worker, the outbox for an Outbox.
type shardQueues struct {
	// name is the queue's name (that of shard 0) and its leases' prefix.
	name  string
	shard func(i int) string
	store interface {
		store.Queues
		store.Leases
	}
	holder      string
	logger      *slog.Logger
	visibility  time.Duration
	poll        time.Duration
	concurrency int
	// wake carries shards that were just given work in this process.
	wake <-chan int
	// deliver handles one delivery of a shard; it returns false when
	// shutting down left it in flight, to be redelivered after visibility.
	deliver func(ctx context.Context, queue string, d store.Delivery) bool
}

// pool runs goroutines over the shards of a queue this instance has.
type pool struct {
	q   shardQueues
	ttl time.Duration
	// work carries the shards that may have messages, each at most once.
	work chan int
	mu   sync.Mutex
	// queued and mine are guarded by mu: a shard waiting in work, a shard
	// assigned to this instance.
	queued [InboxShards]bool
	mine   [InboxShards]bool
	shards [InboxShards]shard
	// shardTTL is how long a shard lease lasts (see shardLease).
	shardTTL time.Duration
	// slot is this instance's member slot, -1 for none (only refresh uses it).
	slot     int
	failures atomic.Int32
}

// shard is the state of one shard in this process; mu is held while a
// goroutine drains it and guards the rest.
type shard struct {
	mu      sync.Mutex
	held    bool
	renewed time.Time
	// keep: messages of the shard this instance took are in flight until
	// then (one was left at shutdown, or could not be given back). The lease
	// is not released before, but left to expire, so nobody handles a later
	// message before those are visible again.
	keep time.Time
}

func newPool(q shardQueues) *pool {
	return &pool{q: q, ttl: q.visibility, shardTTL: q.visibility + q.visibility/3, work: make(chan int, InboxShards), slot: -1}
}

func (p *pool) run(ctx context.Context) error {
	current := p.refresh(ctx)
	var wg sync.WaitGroup
	for range max(p.q.concurrency, 1) {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case i := <-p.work:
					p.drain(ctx, i)
				}
			}
		})
	}
	refresh := time.NewTicker(p.ttl / 3)
	defer refresh.Stop()
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			p.leave()
			return nil
		case i := <-p.q.wake:
			p.schedule(i)
		case <-refresh.C:
			current = p.refresh(ctx)
		case <-poll.C:
			if !current { // the store failed the last refresh: try again sooner
				current = p.refresh(ctx)
			}
			for i := range InboxShards {
				p.schedule(i)
			}
			wait := p.q.poll
			if n := p.failures.Load(); n > 0 {
				wait = backoff(int(n))
			}
			poll.Reset(wait)
		}
	}
}

// schedule hands shard i to a goroutine if it is this instance's and not
// waiting already.
func (p *pool) schedule(i int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i < 0 || i >= InboxShards || !p.mine[i] || p.queued[i] {
		return
	}
	p.queued[i] = true
	p.work <- i // never blocks: work holds every shard at most once
}

func (p *pool) assigned(i int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mine[i]
}

// drain handles up to shardBatch messages of shard i in order, under its
// lease, taking them dequeueBatch at a time. A message whose handling fails
// is retried later (deliver nacks it) while the rest of the batch goes on,
// as when each was taken alone.
func (p *pool) drain(ctx context.Context, i int) {
	p.mu.Lock()
	p.queued[i] = false
	p.mu.Unlock()
	sh := &p.shards[i]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	queue := p.q.shard(i)
	for handled := 0; handled < shardBatch; {
		if !p.proceed(ctx, i, queue, nil) {
			return
		}
		want := min(dequeueBatch, shardBatch-handled)
		batch, err := p.q.store.DequeueMany(ctx, queue, p.q.visibility, want)
		switch {
		case errors.Is(err, store.ErrEmpty):
			p.failures.Store(0)
			return
		case err != nil:
			if ctx.Err() == nil {
				p.failures.Add(1)
				p.q.logger.Warn("dequeue failed; retrying", "queue", queue, "err", err)
			}
			return
		}
		p.failures.Store(0)
		for k, d := range batch {
			if k > 0 && !p.proceed(ctx, i, queue, batch[k:]) {
				return
			}
			if !p.q.deliver(ctx, queue, d) {
				sh.keep = time.Now().Add(p.shardTTL)
				p.giveBack(queue, batch[k+1:])
				return
			}
		}
		handled += len(batch)
		if len(batch) < want {
			// The shard had no more ready: what was queued since is found
			// by the next wake or poll, as after an empty dequeue, which
			// this saves.
			return
		}
	}
	p.schedule(i) // more may be waiting
}

// proceed reports whether the drain of shard i (with shards[i].mu held) may
// handle its next message: not shutting down, the shard still this
// instance's and its lease held, renewed when due. Otherwise it gives back
// rest, the messages taken and not handled yet, and releases a shard no
// longer assigned here.
func (p *pool) proceed(ctx context.Context, i int, queue string, rest []store.Delivery) bool {
	unassigned := false
	switch {
	case ctx.Err() != nil:
	case !p.assigned(i):
		unassigned = true
	case !p.lease(ctx, i):
	default:
		return true
	}
	if !p.giveBack(queue, rest) {
		p.shards[i].keep = time.Now().Add(p.shardTTL)
	}
	if unassigned {
		p.release(ctx, i)
	}
	return false
}

// giveBack makes messages taken from queue and not handled ready again at
// once, in their places, rather than after their visibility timeout: the
// next to drain the shard, here or in another instance, starts with them.
// It reports whether none is left in flight here. It runs while shutting
// down too, so it does not use the drain's context.
func (p *pool) giveBack(queue string, rest []store.Delivery) bool {
	if len(rest) == 0 {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	all := true
	for _, d := range rest {
		err := p.q.store.Nack(ctx, queue, d, 0)
		if err != nil && !errors.Is(err, store.ErrNotFound) { // ErrNotFound: already redelivered
			all = false
			p.q.logger.Warn("give back a message not handled; it is redelivered after its visibility timeout",
				"queue", queue, "id", d.ID, "err", err)
		}
	}
	return all
}

// lease takes or renews shard i's lease (with shards[i].mu held) and
// reports whether this instance has it.
func (p *pool) lease(ctx context.Context, i int) bool {
	sh := &p.shards[i]
	if sh.held && time.Since(sh.renewed) < p.ttl/3 {
		return true
	}
	now := time.Now()
	err := p.q.store.AcquireLease(ctx, p.shardLease(i), p.q.holder, p.shardTTL)
	sh.held = err == nil
	switch {
	case err == nil:
		sh.renewed = now
	case !errors.Is(err, store.ErrLeaseHeld) && ctx.Err() == nil:
		p.failures.Add(1)
		p.q.logger.Warn("shard lease", "queue", p.q.name, "shard", i, "err", err)
	}
	return sh.held
}

// release gives shard i's lease up (with shards[i].mu held), unless messages
// it took are still in flight here (see shard.keep).
func (p *pool) release(ctx context.Context, i int) {
	sh := &p.shards[i]
	if !sh.held || time.Now().Before(sh.keep) {
		return
	}
	sh.held = false
	if err := p.q.store.ReleaseLease(ctx, p.shardLease(i), p.q.holder); err != nil {
		p.q.logger.Warn("release shard lease", "queue", p.q.name, "shard", i, "err", err)
	}
}

// refresh renews this instance's member slot, counts the instances and
// reassigns the shards; shards no longer assigned are released by whoever
// drains them next, or here when nobody does. It reports false when the
// store failed it; the assignment is then kept as it was.
func (p *pool) refresh(ctx context.Context) bool {
	n, rank, err := p.members(ctx)
	if err != nil {
		if ctx.Err() == nil {
			p.q.logger.Warn("queue members", "queue", p.q.name, "err", err)
		}
		return false
	}
	var lost []int
	p.mu.Lock()
	for i := range InboxShards {
		was := p.mine[i]
		p.mine[i] = rank >= 0 && i%n == rank
		if was && !p.mine[i] {
			lost = append(lost, i)
		}
	}
	p.mu.Unlock()
	for _, i := range lost {
		if sh := &p.shards[i]; sh.mu.TryLock() {
			p.release(ctx, i)
			sh.mu.Unlock()
		}
	}
	for i := range InboxShards {
		p.schedule(i)
	}
	return true
}

// members renews this instance's member slot, or takes the lowest free one
// (a free slot below its own included, so that the live slots stay packed),
// and returns how many slots are live and this instance's rank among them,
// -1 when every slot is taken. A free slot is probed by taking it for a
// millisecond; the count stops two free slots above its own.
func (p *pool) members(ctx context.Context) (n, rank int, err error) {
	rank = -1
	freeRun := 0
	for j := 0; j < maxMembers && (rank < 0 || freeRun < 2); j++ {
		claim := rank < 0
		ttl := time.Millisecond
		if claim {
			ttl = p.ttl
		}
		err := p.q.store.AcquireLease(ctx, p.memberLease(j), p.q.holder, ttl)
		switch {
		case errors.Is(err, store.ErrLeaseHeld):
			n++
			freeRun = 0
		case err != nil:
			return 0, -1, err
		case claim:
			p.slot, rank = j, n
			n++
			freeRun = 0
		default:
			freeRun++ // a free slot, or our old one given up by the probe
		}
	}
	if rank < 0 {
		p.slot = -1
	}
	return n, rank, nil
}

// leave gives up the shard leases and the member slot when Run ends, so that
// other instances take the shards at once instead of after the TTL.
func (p *pool) leave() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := range InboxShards {
		sh := &p.shards[i]
		sh.mu.Lock()
		p.release(ctx, i)
		sh.mu.Unlock()
	}
	if p.slot >= 0 {
		if err := p.q.store.ReleaseLease(ctx, p.memberLease(p.slot), p.q.holder); err != nil {
			p.q.logger.Warn("release member slot", "queue", p.q.name, "err", err)
		}
	}
}
