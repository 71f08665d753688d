package breaker_test

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// fakeMIS answers every call with its current error, optionally after a
// pause (searchPause instead for searches, when set), and counts calls and
// the peak of calls in flight.
type fakeMIS struct {
	mu          sync.Mutex
	err         error
	pause       time.Duration
	searchPause time.Duration
	calls       atomic.Int64
	inFlight    atomic.Int64
	peak        atomic.Int64
}

func (f *fakeMIS) answerWith(err error) {
	f.mu.Lock()
	f.err = err
	f.mu.Unlock()
}

// pauseFor changes the pause before each answer.
func (f *fakeMIS) pauseFor(d time.Duration) {
	f.mu.Lock()
	f.pause = d
	f.mu.Unlock()
}

func (f *fakeMIS) do(ctx context.Context) error { return f.doSearch(ctx, false) }

func (f *fakeMIS) doSearch(ctx context.Context, search bool) error {
	f.calls.Add(1)
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
	}
	f.mu.Lock()
	err, pause := f.err, f.pause
	if search && f.searchPause > 0 {
		pause = f.searchPause
	}
	f.mu.Unlock()
	if pause > 0 {
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return err
}

func (f *fakeMIS) SearchSlots(ctx context.Context, _ contracts.SlotQuery) ([]contracts.Slot, error) {
	return nil, f.doSearch(ctx, true)
}

func (f *fakeMIS) ReadSlot(ctx context.Context, _ string) (contracts.Slot, error) {
	return contracts.Slot{}, f.do(ctx)
}

func (f *fakeMIS) Hold(ctx context.Context, _ contracts.HoldRequest) (contracts.Appointment, error) {
	return contracts.Appointment{}, f.do(ctx)
}

func (f *fakeMIS) Book(ctx context.Context, _ contracts.BookRequest) (contracts.Appointment, error) {
	return contracts.Appointment{}, f.do(ctx)
}

func (f *fakeMIS) Cancel(ctx context.Context, _, _ string) (contracts.Appointment, error) {
	return contracts.Appointment{}, f.do(ctx)
}

func (f *fakeMIS) FindHold(ctx context.Context, _ contracts.HoldRequest) (contracts.Appointment, error) {
	return contracts.Appointment{}, f.do(ctx)
}
