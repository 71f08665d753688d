package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/breaker"
)

func newBreaker(t *testing.T, cfg breaker.Config, next contracts.MIS) *breaker.MIS {
	t.Helper()
	if cfg.Region == "" {
		cfg.Region = "77"
	}
	m, err := breaker.New(cfg, next, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func hold(m contracts.MIS) error {
	_, err := m.Hold(context.Background(), contracts.HoldRequest{SlotID: "s1", IdempotencyKey: "k"})
	return err
}

// eventually polls cond until it holds or a second passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

func TestTripsAfterConsecutiveFailuresAndThenFailsFast(t *testing.T) {
	mis := &fakeMIS{err: fmt.Errorf("hold: %w", contracts.ErrRegionUnavailable)}
	m := newBreaker(t, breaker.Config{ConsecutiveFailures: 3, OpenTimeout: time.Hour}, mis)
	for range 3 {
		_ = hold(m)
	}
	if m.Status() != contracts.RegionUnavailable {
		t.Fatalf("status = %s after 3 failures, want unavailable", m.Status())
	}
	err := hold(m)
	if !errors.Is(err, contracts.ErrRegionUnavailable) || !errors.Is(err, gobreaker.ErrOpenState) {
		t.Fatalf("err = %v, want region unavailable from the open breaker", err)
	}
	if n := mis.calls.Load(); n != 3 {
		t.Fatalf("next was called %d times, want 3: an open breaker must not call it", n)
	}
}

func TestWhatCountsAgainstTheRegion(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantTrips bool
	}{
		{"a taken slot never trips it", contracts.ErrSlotTaken, false},
		{"an expired hold never trips it", fmt.Errorf("book: %w", contracts.ErrHoldExpired), false},
		{"a patient not attached never trips it", contracts.ErrNotAttached, false},
		{"not found never trips it", contracts.ErrNotFound, false},
		{"an invalid request never trips it", contracts.ErrInvalid, false},
		{"an unavailable region trips it", contracts.ErrRegionUnavailable, true},
		{"an unknown outcome trips it", contracts.ErrOutcomeUnknown, true},
		{"a deadline exceeded trips it", fmt.Errorf("hold: %w", context.DeadlineExceeded), true},
		{"an unexpected error trips it", errors.New("boom"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newBreaker(t, breaker.Config{ConsecutiveFailures: 3, OpenTimeout: time.Hour}, &fakeMIS{err: tt.err})
			for range 5 {
				_ = hold(m)
			}
			if tripped := m.Status() == contracts.RegionUnavailable; tripped != tt.wantTrips {
				t.Fatalf("tripped = %v, want %v", tripped, tt.wantTrips)
			}
		})
	}
}

func TestCallerCancellationNeverTripsIt(t *testing.T) {
	mis := &fakeMIS{pause: time.Hour}
	m := newBreaker(t, breaker.Config{ConsecutiveFailures: 2, OpenTimeout: time.Hour}, mis)
	for range 4 {
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(5 * time.Millisecond); cancel() }()
		if _, err := m.Book(ctx, contracts.BookRequest{AppointmentID: "a1", IdempotencyKey: "k"}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want canceled", err)
		}
	}
	if m.Status() != contracts.RegionAvailable {
		t.Fatalf("status = %s, want available", m.Status())
	}
}

func TestHalfOpenProbe(t *testing.T) {
	tests := []struct {
		name       string
		probeErr   error
		wantStatus contracts.RegionStatus
	}{
		{"a successful probe closes the breaker", nil, contracts.RegionAvailable},
		{"a refused probe still closes it: the MIS answered", contracts.ErrSlotTaken, contracts.RegionAvailable},
		{"a failed probe opens it again", contracts.ErrRegionUnavailable, contracts.RegionUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mis := &fakeMIS{err: contracts.ErrRegionUnavailable}
			m := newBreaker(t, breaker.Config{ConsecutiveFailures: 1, OpenTimeout: 30 * time.Millisecond}, mis)
			_ = hold(m)
			if m.Status() != contracts.RegionUnavailable {
				t.Fatalf("status = %s, want unavailable", m.Status())
			}
			eventually(t, "the breaker turns half-open", func() bool { return m.Status() == contracts.RegionDegraded })
			mis.answerWith(tt.probeErr)
			_ = hold(m)
			if got := m.Status(); got != tt.wantStatus {
				t.Fatalf("status after probe = %s, want %s", got, tt.wantStatus)
			}
			if n := mis.calls.Load(); n != 2 {
				t.Fatalf("next called %d times, want 2 (one failure, one probe)", n)
			}
		})
	}
}

func TestHalfOpenLetsOnlyTheProbesThrough(t *testing.T) {
	mis := &fakeMIS{err: contracts.ErrRegionUnavailable}
	m := newBreaker(t, breaker.Config{ConsecutiveFailures: 1, OpenTimeout: 20 * time.Millisecond}, mis)
	_ = hold(m)
	eventually(t, "half-open", func() bool { return m.Status() == contracts.RegionDegraded })
	mis.mu.Lock()
	mis.err, mis.pause = nil, 100*time.Millisecond
	mis.mu.Unlock()
	go func() { _ = hold(m) }() // the probe, held in flight
	eventually(t, "the probe is in flight", func() bool { return mis.inFlight.Load() == 1 })
	if err := hold(m); !errors.Is(err, contracts.ErrRegionUnavailable) || !errors.Is(err, gobreaker.ErrTooManyRequests) {
		t.Fatalf("second call while probing: err = %v, want region unavailable", err)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	mis := &fakeMIS{pause: 10 * time.Millisecond}
	m := newBreaker(t, breaker.Config{MaxConcurrent: 3}, mis)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := hold(m); err != nil {
				t.Errorf("hold: %v", err)
			}
		})
	}
	wg.Wait()
	if peak := mis.peak.Load(); peak != 3 {
		t.Fatalf("peak calls in flight = %d, want exactly the limit 3", peak)
	}
}

func TestWaitingForAPlaceHonoursTheContext(t *testing.T) {
	mis := &fakeMIS{pause: time.Hour}
	m := newBreaker(t, breaker.Config{MaxConcurrent: 1}, mis)
	busy, stop := context.WithCancel(context.Background())
	defer stop()
	go func() { _, _ = m.ReadSlot(busy, "s1") }()
	eventually(t, "the only place is taken", func() bool { return mis.inFlight.Load() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	// Waiting ends by the deadline, as the region being too busy for it.
	if _, err := m.ReadSlot(ctx, "s2"); !errors.Is(err, contracts.ErrRegionBusy) && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the region busy (or the deadline) while waiting", err)
	}
	if n := mis.calls.Load(); n != 1 {
		t.Fatalf("next called %d times, want 1", n)
	}
}

func TestConfigRejectsAMalformedRegion(t *testing.T) {
	if _, err := breaker.New(breaker.Config{Region: "7 7"}, &fakeMIS{}, nil); !errors.Is(err, contracts.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
}
