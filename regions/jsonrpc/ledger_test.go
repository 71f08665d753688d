package jsonrpc_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/jsonrpc"
)

func TestARepeatedHoldNeverCreatesTwice(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	sl := r.freeSlot(t, 0)
	req := contracts.HoldRequest{SlotID: sl.ID, Patient: patient, IdempotencyKey: "booking-1/hold"}
	first, err := r.client.Hold(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*jsonrpc.Client{r.client, r.newClient(t)} { // this instance, and one that remembers nothing
		again, err := c.Hold(ctx, req)
		if err != nil || again.ID != first.ID {
			t.Fatalf("repeated hold: %+v %v, want %s", again, err, first.ID)
		}
	}
	if n := len(r.sim.Appointments()); n != 1 {
		t.Fatalf("the MIS has %d appointments, want 1", n)
	}
	other := req
	other.Patient.OMS = "7700000000009999"
	if _, err := r.client.Hold(ctx, other); !errors.Is(err, contracts.ErrInvalid) {
		t.Errorf("the key reused for another patient: %v, want ErrInvalid", err)
	}
}

func TestALostHoldIsResolvedByReadBackAfterARestart(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	sl := r.freeSlot(t, 0)
	req := contracts.HoldRequest{SlotID: sl.ID, Patient: patient, IdempotencyKey: "booking-2/hold"}
	r.loseAnswers(t, true)
	_, err := r.client.Hold(ctx, req)
	r.loseAnswers(t, false)
	if !errors.Is(err, contracts.ErrOutcomeUnknown) {
		t.Fatalf("lost hold: %v, want ErrOutcomeUnknown", err)
	}
	restarted := r.newClient(t)
	blind := contracts.HoldRequest{SlotID: sl.ID, IdempotencyKey: req.IdempotencyKey}
	if _, err := restarted.FindHold(ctx, blind); !errors.Is(err, contracts.ErrOutcomeUnknown) {
		t.Fatalf("find without the patient: %v, want ErrOutcomeUnknown (not a guess either way)", err)
	}
	other := req
	other.Patient.BirthDate = "1990-01-01"
	if _, err := restarted.FindHold(ctx, other); !errors.Is(err, contracts.ErrInvalid) {
		t.Fatalf("find with another patient than the hold's: %v, want ErrInvalid", err)
	}
	found, err := restarted.FindHold(ctx, req)
	if err != nil || found.ID == "" || found.Status != contracts.AppointmentBooked || found.HoldKey != req.IdempotencyKey {
		t.Fatalf("find after the restart, with the request: %+v %v, want the appointment the lost call made", found, err)
	}
	if n := r.live(sl.ID); n != 1 {
		t.Fatalf("%d live appointments on the slot, want the one made by the lost call", n)
	}
	if _, _, id, err := r.ledger.Get(ctx, moscow.Code, req.IdempotencyKey); err != nil || id != found.ID {
		t.Fatalf("ledger records %q, %v; want %s", id, err, found.ID)
	}
	third := r.newClient(t)
	if again, err := third.Hold(ctx, req); err != nil || again.ID != found.ID {
		t.Fatalf("the hold repeated from the ledger alone: %+v %v, want %s", again, err, found.ID)
	}
	if a, err := third.Cancel(ctx, found.ID, "booking-2/release"); err != nil || a.Status != contracts.AppointmentCancelled {
		t.Fatalf("the compensation's cancel: %+v %v", a, err)
	}
	if n := r.live(sl.ID); n != 0 {
		t.Fatalf("%d live appointments after the release, want 0", n)
	}
	if a, err := r.newClient(t).Book(ctx, contracts.BookRequest{AppointmentID: found.ID, Hold: req, IdempotencyKey: "booking-2/book"}); !errors.Is(err, contracts.ErrHoldExpired) {
		t.Fatalf("booking the released hold after a restart: %+v %v, want ErrHoldExpired (read back by the request's patient)", a, err)
	}
}

func TestTheLedgerHoldsNoPersonalIdentifier(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.client.Hold(ctx, contracts.HoldRequest{SlotID: r.freeSlot(t, 0).ID, Patient: patient, IdempotencyKey: "booking-3/hold"}); err != nil {
		t.Fatal(err)
	}
	rows, err := r.db.W.QueryContext(ctx, `SELECT region, step_key, slot_id, session_ref, state, appointment_id FROM mis_ledger`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		cols := make([]string, 6)
		if err := rows.Scan(&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5]); err != nil {
			t.Fatal(err)
		}
		n++
		row := strings.Join(cols, " ")
		for _, secret := range []string{patient.OMS, patient.BirthDate, "19850314", patient.OMS[8:]} {
			if strings.Contains(row, secret) {
				t.Errorf("the ledger row %q contains %q", row, secret)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d ledger rows, want 1", n)
	}
}

func TestHoldRefusesAPatientWithoutBirthDate(t *testing.T) {
	r := newRig(t)
	_, err := r.client.Hold(context.Background(), contracts.HoldRequest{SlotID: r.freeSlot(t, 0).ID,
		Patient: contracts.Patient{OMS: patient.OMS, SNILS: "11223344595"}, IdempotencyKey: "booking-4/hold"})
	if !errors.Is(err, contracts.ErrInvalid) || len(r.sim.Appointments()) != 0 {
		t.Fatalf("hold without a birth date: %v, want ErrInvalid and nothing made", err)
	}
}

func TestAnotherBirthDateWithTheSamePolicyIsAnUnknownPatient(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.client.Hold(ctx, contracts.HoldRequest{SlotID: r.freeSlot(t, 0).ID, Patient: patient, IdempotencyKey: "k-a"}); err != nil {
		t.Fatal(err)
	}
	wrong := contracts.Patient{OMS: patient.OMS, BirthDate: "1990-01-01"}
	if _, err := r.client.Hold(ctx, contracts.HoldRequest{SlotID: r.freeSlot(t, 1).ID, Patient: wrong, IdempotencyKey: "k-b"}); !errors.Is(err, contracts.ErrInvalid) {
		t.Fatalf("hold with another birth date: %v, want ErrInvalid (patient unknown)", err)
	}
}

func TestShiftMovesAnAppointmentKeepingItsID(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	from, to := r.freeSlot(t, 0), r.freeSlot(t, 1)
	held, err := r.client.Hold(ctx, contracts.HoldRequest{SlotID: from.ID, Patient: patient, IdempotencyKey: "k-shift"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a repeat with the key answers the same
		moved, err := r.client.Shift(ctx, contracts.ShiftRequest{AppointmentID: held.ID, SlotID: to.ID, IdempotencyKey: "k-shift:move"})
		if err != nil || moved.ID != held.ID || moved.SlotID != to.ID || moved.Status != contracts.AppointmentBooked {
			t.Fatalf("shift: %+v %v, want %s booked on %s", moved, err, held.ID, to.ID)
		}
	}
	if r.live(from.ID) != 0 || r.live(to.ID) != 1 {
		t.Fatalf("after the shift %d on the old slot and %d on the new, want 0 and 1", r.live(from.ID), r.live(to.ID))
	}
	if slot, err := r.client.ReadSlot(ctx, from.ID); err != nil || !slot.Free {
		t.Errorf("the old slot reads %+v %v, want free", slot, err)
	}
	if _, err := r.client.Shift(ctx, contracts.ShiftRequest{AppointmentID: held.ID, SlotID: from.ID, IdempotencyKey: "k-shift:move"}); !errors.Is(err, contracts.ErrInvalid) {
		t.Errorf("a key reused for another move: %v, want ErrInvalid", err)
	}
	if _, err := r.client.Shift(ctx, contracts.ShiftRequest{AppointmentID: "700099999", SlotID: from.ID, IdempotencyKey: "k-unknown:move"}); !errors.Is(err, contracts.ErrNotFound) {
		t.Errorf("shifting an unknown appointment: %v, want ErrNotFound", err)
	}
}
