package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// confirmedBooking stores a confirmed booking id of citizen c1, booked at t0.
func confirmedBooking(t *testing.T, s Store, id string) {
	t.Helper()
	b := newBooking(id, "c1", t0)
	b.Confirm(contracts.Appointment{ID: "A-" + id}, t0)
	if err := s.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

// moveSaved: a move in progress is stored with the booking (its new slot,
// new hold and, once the new is booked, the old appointment and time) and
// is gone once the move ends; the booking being moved is live; a move that
// stopped moving is listed as stalled.
func moveSaved(t *testing.T, s Store) {
	ctx := context.Background()
	confirmedBooking(t, s, "b1")
	to := sagas.SlotSnapshot{ID: "25:S-2", MISSlotID: "S-2", Start: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 2, 10, 20, 0, 0, time.UTC)}
	err := s.Update(ctx, "b1", func(b *sagas.Booking) error {
		if err := b.RequestReschedule(to, false, []byte("sealed"), t0.Add(time.Minute), 2*time.Minute); err != nil {
			return err
		}
		b.RescheduleHeld(contracts.Appointment{ID: "A-new"}, t0.Add(time.Minute))
		b.RescheduleBooked(contracts.Appointment{ID: "A-new"}, t0.Add(time.Minute))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Get(ctx, "b1")
	if err != nil {
		t.Fatal(err)
	}
	m := b.Move
	if b.Status != sagas.StatusRescheduling || b.Saga != contracts.SagaReschedule || b.Step != sagas.StepRescheduleCancel || m == nil ||
		m.ID == "" || m.Slot.ID != to.ID || m.AppointmentID != "A-new" || m.OldAppointmentID != "A-b1" ||
		!m.OldStart.Equal(newBooking("x", "c", t0).Slot.Start) || b.Slot.ID != to.ID || b.AppointmentID != "A-new" {
		t.Fatalf("a booking being moved reads back as %+v (move %+v)", b, m)
	}
	if live, err := s.Live(ctx, "c1", t0); err != nil || len(live) != 1 || live[0].Move == nil {
		t.Errorf("live %v %v, want the booking being moved, with its move", live, err)
	}
	if got, err := s.Stalled(ctx, t0.Add(5*time.Minute), 10); err != nil || len(got) != 1 || got[0] != "b1" {
		t.Errorf("stalled %v %v, want the move that stopped at the old appointment's cancel", got, err)
	}
	err = s.Update(ctx, "b1", func(b *sagas.Booking) error {
		b.Rescheduled(contracts.Appointment{}, t0.Add(2*time.Minute))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if b, err = s.Get(ctx, "b1"); err != nil || b.Move != nil || b.Status != sagas.StatusConfirmed || b.PatientSealed != nil {
		t.Fatalf("after the move %+v %v, want confirmed without a move or identifiers", b, err)
	}
	end := b.Timeline[len(b.Timeline)-1]
	if end.Code != sagas.CodeRescheduled || end.PrevStart.IsZero() || end.PrevEnd.IsZero() {
		t.Errorf("the move's last entry %+v, want rescheduled with the old time", end)
	}
}
