package bookings

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// Backlog is what admission needs of the store: when the oldest booking of
// a region still waiting for its hold was asked for (zero when none waits).
// store.DB provides it from a partial index, shared by every instance.
type Backlog interface {
	OldestWaiting(ctx context.Context, region string) (time.Time, error)
}

// admission refuses new bookings of a region whose queue is too long for
// them to finish before their deadline. It judges by the queue's sojourn
// time, the age of the oldest booking still waiting for its hold (as CoDel
// judges a network queue), not by counting: the age needs no estimate of
// the region's capacity, which depends on how many instances run and how
// fast the MIS answers today. A booking asked for now waits about as long as
// the oldest one has; when that is more than half its deadline, most of
// its time would go to waiting, and it would likely fail (or be shed by the
// saga, contracts.ErrRegionBusy) after the citizen had waited for nothing.
// Refusing it at once, with a time to come back, keeps the queue short
// enough for the bookings in it to succeed.
type admission struct {
	backlog Backlog
	// maxDelay is region's longest tolerated sojourn; zero: the region is
	// not admitted by queue age at all.
	maxDelay func(region string) time.Duration
	now      func() time.Time

	mu     sync.Mutex
	oldest map[string]sample // region → last reading
}

// sample is one reading of a region's oldest waiting booking.
type sample struct {
	oldest time.Time // zero: nothing waits
	read   time.Time
}

// admissionRefresh is how often each region's queue is read (a cheap
// indexed MIN, but not one per request at thousands a second).
const admissionRefresh = 500 * time.Millisecond

func newAdmission(b Backlog, maxDelay func(region string) time.Duration, now func() time.Time) *admission {
	return &admission{backlog: b, maxDelay: maxDelay, now: now, oldest: map[string]sample{}}
}

// admit returns nil when a new booking of region may start, and an error
// wrapping contracts.ErrRegionBusy when it would only wait in vain. A
// backlog that cannot be read admits: admission protects the region, it
// must not become a way to fail.
func (a *admission) admit(ctx context.Context, region string) error {
	if a == nil || a.backlog == nil {
		return nil
	}
	maxDelay := a.maxDelay(region)
	if maxDelay <= 0 {
		return nil
	}
	now := a.now()
	a.mu.Lock()
	s, ok := a.oldest[region]
	a.mu.Unlock()
	if !ok || now.Sub(s.read) > admissionRefresh {
		oldest, err := a.backlog.OldestWaiting(ctx, region)
		if err != nil {
			return nil
		}
		s = sample{oldest: oldest, read: now}
		a.mu.Lock()
		a.oldest[region] = s
		a.mu.Unlock()
	}
	if s.oldest.IsZero() {
		return nil
	}
	if delay := now.Sub(s.oldest); delay > maxDelay {
		return fmt.Errorf("region %s: bookings wait %s for the clinic's system, more than %s: %w",
			region, delay.Round(time.Second), maxDelay, contracts.ErrRegionBusy)
	}
	return nil
}
