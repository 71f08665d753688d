package jsonrpc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/fedhealth/federation/contracts"
)

// Reconciliation reads this kind by patient: every appointment of the
// patient, whatever its status, and nothing without the OMS policy and
// birth date.
func TestPatientAppointmentsListsThePatientsAppointmentsInEveryStatus(t *testing.T) {
	r, ctx := newRig(t), context.Background()
	held, err := r.client.Hold(ctx, contracts.HoldRequest{SlotID: r.freeSlot(t, 0).ID, Patient: patient, IdempotencyKey: "booking-r1/hold"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.client.Cancel(ctx, held.ID, "booking-r1/cancel"); err != nil {
		t.Fatal(err)
	}
	list, err := r.client.PatientAppointments(ctx, patient)
	if err != nil || len(list) != 1 || list[0].ID != held.ID || list[0].Status != contracts.AppointmentCancelled || list[0].SlotID == "" {
		t.Fatalf("listed %+v, %v; want the one cancelled appointment with its slot", list, err)
	}
	if _, err := r.client.PatientAppointments(ctx, contracts.Patient{OMS: patient.OMS}); !errors.Is(err, contracts.ErrInvalid) {
		t.Errorf("without the birth date: %v, want ErrInvalid", err)
	}
}
