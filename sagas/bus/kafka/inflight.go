package kafka

import (
	"context"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
)

// consumeConcurrently hands out up to MaxInFlight of r's messages at once.
// Messages that share a key wait for each other, so one saga's commands
// keep their order; different keys run side by side. Offsets are committed
// only up to the contiguous low-water mark of finished messages (kafka-go
// commits everything below the offset it is given).
func (s *Subscriber) consumeConcurrently(ctx context.Context, r *kafka.Reader, out chan<- *message.Message) {
	var (
		places  = make(chan struct{}, s.cfg.MaxInFlight)
		wg      sync.WaitGroup
		keys    = newKeyChains()
		offsets = newLowWaterMarks()
	)
	defer wg.Wait()
	for {
		select {
		case places <- struct{}{}:
		case <-ctx.Done():
			return
		}
		km, err := r.FetchMessage(ctx)
		if err != nil {
			<-places
			if ctx.Err() != nil {
				return
			}
			s.logger.Warn("kafka fetch", "topic", r.Config().Topic, "error", err)
			if !sleep(ctx, fetchErrorBackoff) {
				return
			}
			continue
		}
		entry := offsets.started(km.Partition, km.Offset)
		prev, done := keys.enter(string(km.Key))
		wg.Go(func() {
			defer func() { <-places }()
			defer keys.leave(string(km.Key), done)
			select {
			case <-prev: // the previous message with this key is finished
			case <-ctx.Done():
				return
			}
			if !s.deliver(ctx, km, out) {
				return
			}
			offsets.commitFinished(km, entry, func(upTo kafka.Message) { s.commit(ctx, r, upTo) })
		})
	}
}

// keyChains orders messages with the same key: each waits for the channel
// its predecessor closes when finished.
type keyChains struct {
	mu   sync.Mutex
	last map[string]chan struct{}
}

func newKeyChains() *keyChains { return &keyChains{last: map[string]chan struct{}{}} }

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (k *keyChains) enter(key string) (prev <-chan struct{}, done chan struct{}) {
	k.mu.Lock()
	defer k.mu.Unlock()
	p, ok := k.last[key]
	if !ok {
		p = closedChan
	}
	done = make(chan struct{})
	k.last[key] = done
	return p, done
}

func (k *keyChains) leave(key string, done chan struct{}) {
	k.mu.Lock()
	defer k.mu.Unlock()
	close(done)
	if k.last[key] == done {
		delete(k.last, key)
	}
}

// lowWaterMarks tracks, per partition, the messages handed out in fetch
// order and which of them are finished. Entries are tracked one by one, not
// by offset: after a rebalance kafka-go fetches again from the committed
// offset, so one offset can be in flight twice.
type lowWaterMarks struct {
	mu        sync.Mutex
	inFlight  map[int][]*inFlightEntry
	committed map[int]int64 // highest offset committed per partition
}

type inFlightEntry struct {
	offset   int64
	finished bool
}

func newLowWaterMarks() *lowWaterMarks {
	return &lowWaterMarks{inFlight: map[int][]*inFlightEntry{}, committed: map[int]int64{}}
}

func (w *lowWaterMarks) started(partition int, offset int64) *inFlightEntry {
	w.mu.Lock()
	defer w.mu.Unlock()
	e := &inFlightEntry{offset: offset}
	w.inFlight[partition] = append(w.inFlight[partition], e)
	return e
}

// commitFinished marks e finished and, when that moves the partition's
// low-water mark past what was committed, calls commit with the highest
// contiguous finished message. Commits never go backwards; the lock is held
// across commit so they stay in order.
func (w *lowWaterMarks) commitFinished(km kafka.Message, e *inFlightEntry, commit func(kafka.Message)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := km.Partition
	e.finished = true
	queue, upTo := w.inFlight[p], int64(-1)
	for len(queue) > 0 && queue[0].finished {
		upTo = max(upTo, queue[0].offset)
		queue = queue[1:]
	}
	w.inFlight[p] = queue
	if last, ok := w.committed[p]; upTo < 0 || (ok && upTo <= last) {
		return
	}
	w.committed[p] = upTo
	mark := km
	mark.Offset = upTo
	commit(mark)
}
