package breaker

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// budget is one class of calls' share of the region's calls in flight.
// Every call waits for a place in its class's budget only as long as its
// deadline leaves room for the call itself (and, for a hold, the booking
// after it): work that cannot finish in time is refused at once with
// contracts.ErrRegionBusy instead of queueing until its deadline, so that a
// backlog (after a stall or an outage) is shed cheaply and does not crowd
// out the work behind it — the metastable collapse a plain FIFO of waiters
// falls into.
type budget struct {
	places  chan struct{}
	latency *latency
	// maxWait bounds the wait of a call without a deadline (0: as long as
	// its context allows).
	maxWait time.Duration
}

// compensationWait bounds how long a compensation waits for a place. Its
// command then goes back to Kafka and comes again a little later, so that
// a wave of compensations never holds the consumer's places that new work
// needs.
const compensationWait = 2 * time.Second

func newBudget(n int, l *latency, maxWait time.Duration) *budget {
	return &budget{places: make(chan struct{}, n), latency: l, maxWait: maxWait}
}

// acquire takes a place for one call of op, or refuses when ctx's deadline
// cannot be met.
func (b *budget) acquire(ctx context.Context, op, region string) error {
	need := b.latency.estimate() * time.Duration(callsToFinish(op))
	deadline, hasDeadline := ctx.Deadline()
	if !hasDeadline && b.maxWait > 0 {
		deadline, hasDeadline = time.Now().Add(b.maxWait+need), true
	}
	if !hasDeadline {
		select {
		case b.places <- struct{}{}:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("%s in region %s: waiting for a free place: %w", op, region, ctx.Err())
		}
	}
	// Try without waiting first: a free place is taken even when the
	// estimate says it is late, since the estimate may be stale.
	select {
	case b.places <- struct{}{}:
		return nil
	default:
	}
	wait := time.Until(deadline) - need
	if wait <= 0 {
		return fmt.Errorf("%s in region %s: no free place, and %s left is not enough: %w", op, region, time.Until(deadline).Round(time.Millisecond), contracts.ErrRegionBusy)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case b.places <- struct{}{}:
		return nil
	case <-t.C:
		return fmt.Errorf("%s in region %s: no free place in time for its deadline: %w", op, region, contracts.ErrRegionBusy)
	case <-ctx.Done():
		return fmt.Errorf("%s in region %s: waiting for a free place: %w", op, region, ctx.Err())
	}
}

func (b *budget) release() { <-b.places }

// callsToFinish is how many calls, of about the same latency, the work
// starting with op still needs: a hold is worth making only when the
// booking that follows it can be made too.
func callsToFinish(op string) int {
	if op == "hold" {
		return 2
	}
	return 1
}

// latency is a moving average of the region's MIS call latency, of calls
// the MIS answered (its own refusals included; timeouts and transport
// errors excluded, which would make every deadline look unreachable after
// an outage). A hand-written EWMA: one atomic word, no library earns it.
type latency struct{ nanos atomic.Int64 }

// latencyWeight is the weight of the newest call: about the last ten calls
// count.
const latencyWeight = 0.1

func (l *latency) observe(d time.Duration) {
	for {
		old := l.nanos.Load()
		next := int64(d)
		if old != 0 {
			next = old + int64(latencyWeight*float64(int64(d)-old))
		}
		if l.nanos.CompareAndSwap(old, next) {
			return
		}
	}
}

// estimate is the current average; zero before the first answer.
func (l *latency) estimate() time.Duration { return time.Duration(l.nanos.Load()) }
