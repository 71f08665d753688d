package sagas_test

import (
	"errors"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

func TestOnlyAConfirmedBookingCanBeRescheduled(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	slot := sagas.SlotSnapshot{ID: "77:S-2", MISSlotID: "S-2"}
	pending := sagas.NewBooking("b1", "c1", sagas.SlotSnapshot{ID: "77:S-1", MISSlotID: "S-1"}, "77", nil, "", now, time.Minute)
	if err := pending.RequestReschedule(slot, false, nil, now, time.Minute); !errors.Is(err, contracts.ErrConflict) {
		t.Fatalf("rescheduling a pending booking: %v, want ErrConflict", err)
	}
	b := sagas.NewBooking("b2", "c1", sagas.SlotSnapshot{ID: "77:S-1", MISSlotID: "S-1"}, "77", nil, "", now, time.Minute)
	b.Confirm(contracts.Appointment{ID: "A-1"}, now)
	if err := b.RequestReschedule(slot, false, []byte("sealed"), now, time.Minute); err != nil {
		t.Fatal(err)
	}
	if b.Status != sagas.StatusRescheduling || b.Status.Final() || b.Saga != contracts.SagaReschedule || !b.Rescheduling() {
		t.Fatalf("a booking being moved is %s (final %v) driven by %s, want rescheduling, not final, by the reschedule saga", b.Status, b.Status.Final(), b.Saga)
	}
	if err := b.RequestReschedule(slot, false, nil, now, time.Minute); !errors.Is(err, contracts.ErrConflict) {
		t.Fatalf("a second move while one runs: %v, want ErrConflict", err)
	}
	if err := b.RequestCancel(now); !errors.Is(err, contracts.ErrConflict) {
		t.Fatalf("cancelling while the move runs: %v, want ErrConflict", err)
	}
}
