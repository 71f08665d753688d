package drill

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/reconcile"
	"github.com/fedhealth/federation/sagas/sqldb"
)

// A SOAP MIS keeps no keys: the drill ties its appointments to bookings
// through the broker's step ledger, so a confirmed booking's appointment
// passes, and an appointment no booking's hold made is reported, as it
// would be at a FHIR MIS.
func TestTheLedgerTiesAKeylessKindsAppointmentsToTheirBookings(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqldb.Open(sqldb.Config{Path: filepath.Join(dir, "federation.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	broker, err := ledger.New(ctx, db, false, nil, nil) // what the broker's soap adapter writes
	if err != nil {
		t.Fatal(err)
	}
	hold := contracts.StepKey("b-1", contracts.StepHold)
	if _, err := broker.Begin(ctx, "16", hold, "SL-7", "SID-x"); err != nil {
		t.Fatal(err)
	}
	if err := broker.Done(ctx, "16", hold, "B-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := broker.Begin(ctx, "16", contracts.StepKey("b-2", contracts.StepHold), "SL-8", "SID-y"); err != nil {
		t.Fatal(err) // an intent whose answer was lost: names no appointment
	}

	l := newStepLedger(dir, "")
	t.Cleanup(func() { _ = l.close() })
	appts := toContract([]missim.AdminAppointment{{ID: "B-1", SlotID: "SL-7", Status: "BOOKED"}, {ID: "B-2", SlotID: "SL-9", Status: "BOOKED"}})
	if err := l.holdKeys(ctx, "16", []string{"b-1", "b-2", "b-3"}, appts); err != nil {
		t.Fatal(err)
	}
	if appts[0].HoldKey != hold || appts[1].HoldKey != "" {
		t.Fatalf("hold keys %q and %q, want %q and none", appts[0].HoldKey, appts[1].HoldKey, hold)
	}
	rep := reconcile.Compare([]reconcile.Booking{
		{ID: "b-1", Region: "16", Status: sagas.StatusConfirmed},
		{ID: "b-2", Region: "16", Status: sagas.StatusFailed},
	}, map[string][]contracts.Appointment{"16": appts}, time.Now(), time.Second)
	if rep.Counts != (reconcile.Counts{Mismatch: 1}) || rep.Differences[0].Appointments[0].ID != "B-2" {
		t.Fatalf("report %+v, want B-2 alone reported: booked at the MIS, no booking of the broker's", rep)
	}
}

// The admin view's statuses are read whatever the style's spelling; a
// lapsed hold reads as cancelled, as the contract has it.
func TestToContractReadsEveryKindsStatuses(t *testing.T) {
	got := toContract([]missim.AdminAppointment{{Status: "BOOKED"}, {Status: "CANCELLED"}, {Status: "expired"}, {Status: "pending"}})
	want := []contracts.AppointmentStatus{contracts.AppointmentBooked, contracts.AppointmentCancelled, contracts.AppointmentCancelled, contracts.AppointmentHeld}
	for i, a := range got {
		if a.Status != want[i] {
			t.Errorf("status %d read as %q, want %q", i, a.Status, want[i])
		}
	}
}
