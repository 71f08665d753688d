package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/breaker"
)

// shiftingMIS is a fakeMIS that also moves appointments natively.
type shiftingMIS struct{ fakeMIS }

func (f *shiftingMIS) Shift(ctx context.Context, req contracts.ShiftRequest) (contracts.Appointment, error) {
	return contracts.Appointment{ID: req.AppointmentID, SlotID: req.SlotID, Status: contracts.AppointmentBooked}, f.do(ctx)
}

func shift(m contracts.MIS) error {
	sh, ok := contracts.ShifterOf(m)
	if !ok {
		return errors.New("no native move")
	}
	_, err := sh.Shift(context.Background(), contracts.ShiftRequest{AppointmentID: "a1", SlotID: "s2", IdempotencyKey: "k:shift"})
	return err
}

func TestTheNativeMoveIsSeenThroughTheBreakerOnlyWhereTheMISHasIt(t *testing.T) {
	if _, ok := contracts.ShifterOf(newBreaker(t, breaker.Config{}, &fakeMIS{})); ok {
		t.Fatal("a breaker around an MIS without Shift offers a native move")
	}
	m := newBreaker(t, breaker.Config{}, &shiftingMIS{})
	if err := shift(m); err != nil {
		t.Fatalf("shift through the breaker: %v", err)
	}
	var plain contracts.Shifter = newBreaker(t, breaker.Config{}, &fakeMIS{})
	if _, err := plain.Shift(context.Background(), contracts.ShiftRequest{}); !errors.Is(err, contracts.ErrUnsupported) {
		t.Fatalf("Shift of a breaker around an MIS without it: %v, want ErrUnsupported", err)
	}
}

func TestShiftCountsAgainstTheRegionAndIsRefusedWhileOpen(t *testing.T) {
	mis := &shiftingMIS{fakeMIS{err: fmt.Errorf("shift: %w", contracts.ErrRegionUnavailable)}}
	m := newBreaker(t, breaker.Config{ConsecutiveFailures: 2, OpenTimeout: time.Hour}, mis)
	for range 2 {
		_ = shift(m)
	}
	if err := shift(m); !errors.Is(err, contracts.ErrRegionUnavailable) || mis.calls.Load() != 2 {
		t.Fatalf("third shift: %v after %d calls, want the open breaker's refusal without a call", err, mis.calls.Load())
	}
}

func TestShiftTakesAPlaceOfTheSagasBudget(t *testing.T) {
	mis := &shiftingMIS{}
	mis.pauseFor(200 * time.Millisecond)
	m := newBreaker(t, breaker.Config{MaxConcurrent: 1}, mis)
	go func() { _ = shift(m) }()
	eventually(t, "the first shift is at the MIS", func() bool { return mis.inFlight.Load() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := m.Hold(ctx, contracts.HoldRequest{SlotID: "s1", IdempotencyKey: "k"})
	if err == nil || mis.peak.Load() != 1 {
		t.Fatalf("a hold beside a shift at the limit of 1: %v, peak %d, want it kept out", err, mis.peak.Load())
	}
}
