package sagas_test

import (
	"errors"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

var visitStart = opNow.Add(48 * time.Hour)

// confirmedBooking is a portal booking the clinic confirmed, for a visit two days on.
func confirmedBooking() *sagas.Booking {
	b := sagas.NewBooking("b1", "c1", sagas.SlotSnapshot{Start: visitStart, End: visitStart.Add(20 * time.Minute)}, "77", nil, "", opNow, time.Minute)
	b.Confirm(contracts.Appointment{ID: "A-1"}, opNow)
	b.MarkSaved()
	return b
}

func clinicEvent(id string, change contracts.ClinicChange, at time.Time) contracts.ClinicEvent {
	return contracts.ClinicEvent{Version: 1, EventID: id, Region: "77", AppointmentID: "A-1", Change: change, At: at}
}

func TestAClinicCancellationSaysWhoAndWhy(t *testing.T) {
	b := confirmedBooking()
	ev := clinicEvent("e1", contracts.ClinicCancelled, opNow)
	ev.ReasonCode = "clinic_closed"
	out, err := b.ApplyClinic(ev, opNow)
	if err != nil || out != sagas.ClinicApplied {
		t.Fatalf("ApplyClinic = %v, %v", out, err)
	}
	last := b.NewTimeline()[len(b.NewTimeline())-1]
	switch {
	case b.Status != sagas.StatusCancelled, b.CancelledBy != sagas.CancelledByClinic:
		t.Fatalf("status %s by %q", b.Status, b.CancelledBy)
	case b.ReasonCode != "cancelled_by_clinic_clinic_closed":
		t.Fatalf("reason code %q", b.ReasonCode)
	case last.Source != sagas.SourceClinic || last.Code != b.ReasonCode:
		t.Fatalf("timeline entry %+v", last)
	case b.ClinicEvent() != "e1":
		t.Fatalf("the event id is not recorded for the store: %q", b.ClinicEvent())
	}
}

func TestAMoveKeepsTheBookingAndBothTimes(t *testing.T) {
	b := confirmedBooking()
	ev := clinicEvent("e1", contracts.ClinicMoved, opNow)
	ev.Start, ev.End = visitStart.Add(time.Hour), visitStart.Add(80*time.Minute)
	if _, err := b.ApplyClinic(ev, opNow); err != nil {
		t.Fatal(err)
	}
	last := b.NewTimeline()[0]
	if b.Status != sagas.StatusConfirmed || !b.Slot.Start.Equal(ev.Start) || !last.PrevStart.Equal(visitStart) || last.Code != sagas.CodeMovedByClinic {
		t.Fatalf("status %s, slot %v, entry %+v", b.Status, b.Slot.Start, last)
	}
}

func TestAnOlderClinicChangeIsRecordedAsSupersededAndChangesNothing(t *testing.T) {
	for _, tc := range []struct {
		name         string
		newer, older contracts.ClinicEvent
	}{
		{"by the MIS's time", clinicEvent("e2", contracts.ClinicMoved, opNow.Add(time.Minute)), clinicEvent("e1", contracts.ClinicCancelled, opNow)},
		{"by the sequence, whatever the times", withSeq(clinicEvent("e2", contracts.ClinicMoved, opNow), 5), withSeq(clinicEvent("e1", contracts.ClinicCancelled, opNow.Add(time.Hour)), 4)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := confirmedBooking()
			tc.newer.Start, tc.newer.End = visitStart.Add(time.Hour), visitStart.Add(2*time.Hour)
			tc.older.ReasonCode = "other"
			if _, err := b.ApplyClinic(tc.newer, opNow); err != nil {
				t.Fatal(err)
			}
			out, err := b.ApplyClinic(tc.older, opNow)
			if err != nil || out != sagas.ClinicSuperseded || b.Status != sagas.StatusConfirmed {
				t.Fatalf("older event: %v, %v, status %s", out, err, b.Status)
			}
			if last := b.NewTimeline()[len(b.NewTimeline())-1]; last.Code != sagas.CodeClinicSuperseded {
				t.Fatalf("last entry %+v", last)
			}
		})
	}
}

func withSeq(ev contracts.ClinicEvent, seq int64) contracts.ClinicEvent { ev.Sequence = seq; return ev }

func TestAVisitBeforeTheAppointmentStartsIsInvalid(t *testing.T) {
	b := confirmedBooking()
	_, err := b.ApplyClinic(clinicEvent("e1", contracts.ClinicVisited, opNow), opNow)
	if !errors.Is(err, contracts.ErrInvalid) || b.Status != sagas.StatusConfirmed || len(b.NewTimeline()) != 0 {
		t.Fatalf("err %v, status %s", err, b.Status)
	}
	if out, err := b.ApplyClinic(clinicEvent("e2", contracts.ClinicNoShow, visitStart), visitStart.Add(time.Hour)); err != nil || b.Status != sagas.StatusNoShow {
		t.Fatalf("no-show after the start: %v, %v, %s", out, err, b.Status)
	}
	if _, err := b.ApplyClinic(clinicEvent("e3", contracts.ClinicVisited, visitStart.Add(time.Hour)), visitStart.Add(2*time.Hour)); err != nil || b.Status != sagas.StatusVisited {
		t.Fatalf("a visit corrects a no-show: %v, %s", err, b.Status)
	}
}

func TestAClinicChangeNeverResurrectsAnEndedBooking(t *testing.T) {
	b := confirmedBooking()
	if err := b.RequestCancel(opNow); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ApplyClinic(clinicEvent("e1", contracts.ClinicMoved, opNow), opNow); !errors.Is(err, sagas.ErrSagaRunning) {
		t.Fatalf("during the cancellation saga: %v, want ErrSagaRunning", err)
	}
	b.Cancelled(opNow)
	ev := clinicEvent("e1", contracts.ClinicMoved, opNow)
	ev.Start, ev.End = visitStart.Add(time.Hour), visitStart.Add(2*time.Hour)
	out, err := b.ApplyClinic(ev, opNow)
	if err != nil || out != sagas.ClinicIgnored || b.Status != sagas.StatusCancelled || b.CancelledBy != sagas.CancelledByCitizen {
		t.Fatalf("moved after the citizen cancelled: %v, %v, %s by %s", out, err, b.Status, b.CancelledBy)
	}
}
