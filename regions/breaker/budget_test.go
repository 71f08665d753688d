package breaker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/breaker"
)

// takeAllPlaces fills the new-work budget with calls that hang until the
// test ends.
func takeAllPlaces(t *testing.T, m *breaker.MIS, mis *fakeMIS, n int) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	for range n {
		go func() { _, _ = m.Book(ctx, contracts.BookRequest{AppointmentID: "a", IdempotencyKey: "k"}) }()
	}
	eventually(t, "every place is taken", func() bool { return mis.inFlight.Load() == int64(n) })
}

func TestAHoldThatCannotFinishBeforeItsDeadlineIsRefusedAtOnce(t *testing.T) {
	mis := &fakeMIS{pause: 100 * time.Millisecond}
	m := newBreaker(t, breaker.Config{MaxConcurrent: 1}, mis)
	if err := hold(m); err != nil { // teaches the breaker the region's latency
		t.Fatal(err)
	}
	mis.pauseFor(time.Hour)
	takeAllPlaces(t, m, mis, 1)

	// 150 ms left, but a hold and the booking after it need about 200 ms:
	// refused now, not after waiting 150 ms for a place.
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := m.Hold(ctx, contracts.HoldRequest{SlotID: "s", IdempotencyKey: "k2"})
	if !errors.Is(err, contracts.ErrRegionBusy) || !errors.Is(err, contracts.ErrRegionUnavailable) {
		t.Fatalf("err = %v, want the region busy (a kind of unavailable)", err)
	}
	if waited := time.Since(start); waited > 100*time.Millisecond {
		t.Fatalf("refused after %s; a call that cannot finish must not wait", waited)
	}
	if m.Status() != contracts.RegionAvailable {
		t.Fatalf("status %v: a busy region's breaker must not trip", m.Status())
	}
}

func TestACallThatCanStillFinishWaitsForAPlace(t *testing.T) {
	mis := &fakeMIS{pause: 20 * time.Millisecond}
	m := newBreaker(t, breaker.Config{MaxConcurrent: 1}, mis)
	if err := hold(m); err != nil {
		t.Fatal(err)
	}
	busy := make(chan error, 1)
	go func() { busy <- hold(m) }()
	eventually(t, "the only place is taken", func() bool { return mis.inFlight.Load() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := m.Book(ctx, contracts.BookRequest{AppointmentID: "a", IdempotencyKey: "k"}); err != nil {
		t.Fatalf("book: %v (plenty of time left: it must wait for the place)", err)
	}
	if err := <-busy; err != nil {
		t.Fatal(err)
	}
}

func TestCompensationHasABudgetOfItsOwn(t *testing.T) {
	mis := &fakeMIS{pause: time.Hour}
	m := newBreaker(t, breaker.Config{MaxConcurrent: 2, MaxCompensating: 1}, mis)
	takeAllPlaces(t, m, mis, 2)

	// New work is full; a compensation still gets its own place.
	comp := contracts.WithCallClass(context.Background(), contracts.CallCompensation)
	mis.pauseFor(0)
	if _, err := m.Cancel(comp, "a", "release-key"); err != nil {
		t.Fatalf("compensation while new work is full: %v", err)
	}

	// A full compensation budget sends its work back (bounded wait) rather
	// than holding the caller for ever, and never takes new work's places.
	mis.pauseFor(time.Hour)
	ctx, stop := context.WithCancel(comp)
	defer stop()
	go func() { _, _ = m.Cancel(ctx, "b", "release-key-2") }()
	eventually(t, "the compensation place is taken", func() bool { return mis.inFlight.Load() == 3 })
	_, err := m.FindHold(comp, contracts.HoldRequest{IdempotencyKey: "hold-key"})
	if !errors.Is(err, contracts.ErrRegionBusy) {
		t.Fatalf("err = %v, want busy once the compensation budget stays full", err)
	}
	if n := mis.inFlight.Load(); n != 3 {
		t.Fatalf("%d calls in flight, want 2 new work + 1 compensation", n)
	}
}

func TestABusyCompensationBudgetIsNotAFailureOfTheRegion(t *testing.T) {
	mis := &fakeMIS{pause: time.Hour}
	m := newBreaker(t, breaker.Config{MaxConcurrent: 1, MaxCompensating: 1, ConsecutiveFailures: 1}, mis)
	comp := contracts.WithCallClass(context.Background(), contracts.CallCompensation)
	ctx, stop := context.WithCancel(comp)
	defer stop()
	go func() { _, _ = m.Cancel(ctx, "b", "k") }()
	eventually(t, "the compensation place is taken", func() bool { return mis.inFlight.Load() == 1 })
	if _, err := m.FindHold(comp, contracts.HoldRequest{IdempotencyKey: "hold-key"}); !errors.Is(err, contracts.ErrRegionBusy) {
		t.Fatalf("err = %v, want busy", err)
	}
	if m.Status() != contracts.RegionAvailable {
		t.Fatalf("status %v after a busy refusal, want available", m.Status())
	}
}
