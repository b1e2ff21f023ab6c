package channels

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/intake-support/intake"
)

// senderKeyPart marks the thread keys the spine derives from a message's
// sender (see withSenderKeys): "<channel>-sender:<address>...".
const senderKeyPart = "-sender:"

// withSenderKeys sets msg's sender keys when it asks for a sender window
// (Message.SenderWindow): after the message's own keys, so that any
// Message-ID or token match wins, and computed afresh on every call, so a
// retried write threads again with what the store holds now. An automatic
// message or one without a sender gets none.
//
// It threads a message by its sender only when it continues the sender's
// open incident: a message that replies to nothing about a different
// problem opens its own incident even within the window. Two kinds of keys:
//
//   - <channel>-sender:<addr>:s:<subject digest>: the same subject after Re:/Fwd:;
//   - <channel>-sender:<addr>: any subject, kept only when the message follows
//     up the incident it maps to (see followsUp).
//
// Each is "<base>:<bucket>[#<generation>]", where bucket is the
// window-long period of now and generations number the incidents the
// sender opened in one bucket, so that the latest is the one followed up.
// See windowKeys.
func (w *Worker) withSenderKeys(ctx context.Context, msg *intake.Message, reads *threadReads) error {
	base := string(msg.Channel) + senderKeyPart + strings.ToLower(msg.From.ID)
	own := msg.ThreadKeys[:0:0]
	for _, k := range msg.ThreadKeys {
		if !strings.HasPrefix(string(k), string(msg.Channel)+senderKeyPart) {
			own = append(own, k)
		}
	}
	msg.ThreadKeys = own
	if msg.SenderWindow <= 0 || msg.AutoReply || msg.From.ID == "" {
		return nil
	}
	subj := baseSubject(msg.Subject)
	bases := []string{base}
	if subj != "" {
		bases = append(bases, base+":s:"+subjectHash(subj))
	}
	if err := w.probeWindows(ctx, reads, msg.SenderWindow, bases); err != nil {
		return err
	}
	var bySubject intake.IncidentID
	if subj != "" {
		keys, joined, err := w.windowKeys(ctx, msg, reads, base+":s:"+subjectHash(subj), func(*intake.Incident) bool { return true })
		if err != nil {
			return err
		}
		msg.ThreadKeys = append(msg.ThreadKeys, keys...)
		bySubject = joined
	}
	keys, _, err := w.windowKeys(ctx, msg, reads, base, func(inc *intake.Incident) bool {
		if bySubject != "" {
			return inc.ID == bySubject // the subject decided: that incident becomes the latest
		}
		return followsUp(msg, inc)
	})
	if err != nil {
		return err
	}
	msg.ThreadKeys = append(msg.ThreadKeys, keys...)
	return nil
}

// maxGenerations bounds the incidents one sender key tells apart in a bucket.
const maxGenerations = 20

// probeGenerations is how many generations of a bucket are read at once: a
// sender rarely opens more incidents than this in one window, so one read
// usually answers for every key of a message.
const probeGenerations = 4

// windowKey is the thread key of generation gen of bucket b of base.
func windowKey(base string, b int64, gen int) intake.ThreadKey {
	k := base + ":" + strconv.FormatInt(b, 10)
	if gen > 1 {
		k += "#" + strconv.Itoa(gen)
	}
	return intake.ThreadKey(k)
}

// threadReads is what one threading of a message read from the store: the
// incident each thread key maps to ("" for none) and the incidents
// themselves, so that none is read twice.
type threadReads struct {
	keys      map[intake.ThreadKey]intake.IncidentID
	incidents map[intake.IncidentID]*intake.Incident
}

func newThreadReads() *threadReads {
	return &threadReads{keys: map[intake.ThreadKey]intake.IncidentID{}, incidents: map[intake.IncidentID]*intake.Incident{}}
}

// incident returns incident id, read from the store once per threading.
func (w *Worker) incident(ctx context.Context, reads *threadReads, id intake.IncidentID) (*intake.Incident, error) {
	if inc, ok := reads.incidents[id]; ok {
		return inc, nil
	}
	inc, err := w.Store.GetIncident(ctx, id)
	if err != nil {
		return nil, err
	}
	reads.incidents[id] = inc
	return inc, nil
}

// probeWindows reads the first probeGenerations generations of the current
// and the previous bucket of every base in one store read.
func (w *Worker) probeWindows(ctx context.Context, reads *threadReads, win time.Duration, bases []string) error {
	bucket := w.Clock().UnixNano() / int64(win)
	var keys []intake.ThreadKey
	for _, base := range bases {
		for _, b := range []int64{bucket, bucket - 1} {
			for gen := 1; gen <= probeGenerations; gen++ {
				keys = append(keys, windowKey(base, b, gen))
			}
		}
	}
	return w.lookupInto(ctx, reads, keys)
}

func (w *Worker) lookupInto(ctx context.Context, reads *threadReads, keys []intake.ThreadKey) error {
	ids, err := w.Store.LookupThreads(ctx, keys)
	if err != nil {
		return fmt.Errorf("sender thread: %w", err)
	}
	for i, k := range keys {
		reads.keys[k] = ids[i]
	}
	return nil
}

// windowKeys returns the keys of base to add to msg (see withSenderKeys)
// and the incident a kept key maps to, "" when none is kept.
// The latest generation of the current bucket, else of the previous one, is
// kept when it maps to an open incident updated within the window that
// join accepts. Unless that key is the current bucket's, the current
// bucket's next, unmapped generation is added too, so that the incident the
// message lands on (a new one, or the one found) becomes the latest: an
// active conversation carries over from bucket to bucket, and a short answer
// joins the problem the sender wrote about last. A key mapped to a closed,
// stale or other incident is never added: the worker would otherwise thread
// the message to it.
func (w *Worker) windowKeys(ctx context.Context, msg *intake.Message, reads *threadReads, base string, join func(*intake.Incident) bool) ([]intake.ThreadKey, intake.IncidentID, error) {
	win := msg.SenderWindow
	now := w.Clock()
	bucket := now.UnixNano() / int64(win)
	key := func(b int64, gen int) intake.ThreadKey { return windowKey(base, b, gen) }
	var keep []intake.ThreadKey
	var joined intake.IncidentID
	next := 1
	for _, b := range []int64{bucket, bucket - 1} {
		id, gen, err := w.latestGeneration(ctx, reads, func(g int) intake.ThreadKey { return key(b, g) })
		if err != nil {
			return nil, "", err
		}
		if b == bucket {
			next = gen + 1
		}
		if gen == 0 {
			continue
		}
		inc, err := w.incident(ctx, reads, id)
		if err != nil {
			return nil, "", fmt.Errorf("sender thread: %w", err)
		}
		if inc.Open() && now.Sub(inc.UpdatedAt) <= win && join(inc) {
			keep, joined = append(keep, key(b, gen)), inc.ID
			if b == bucket {
				return keep, joined, nil
			}
			break
		}
	}
	if next <= maxGenerations {
		keep = append(keep, key(bucket, next))
	}
	return keep, joined, nil
}

// latestGeneration returns the incident of the highest mapped generation of
// a key and that generation, 0 when none is mapped. It reads what reads
// holds first and the store, probeGenerations keys at a time, beyond that.
func (w *Worker) latestGeneration(ctx context.Context, reads *threadReads, key func(gen int) intake.ThreadKey) (intake.IncidentID, int, error) {
	var last intake.IncidentID
	for gen := 1; gen <= maxGenerations; gen++ {
		id, ok := reads.keys[key(gen)]
		if !ok {
			var more []intake.ThreadKey
			for g := gen; g < gen+probeGenerations && g <= maxGenerations; g++ {
				more = append(more, key(g))
			}
			if err := w.lookupInto(ctx, reads, more); err != nil {
				return "", 0, err
			}
			id = reads.keys[key(gen)]
		}
		if id == "" {
			return last, gen - 1, nil
		}
		last = id
	}
	return last, maxGenerations, nil
}
