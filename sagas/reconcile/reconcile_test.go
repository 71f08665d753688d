package reconcile_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/reconcile"
)

var (
	now     = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	later   = now.Add(time.Minute)  // a hold that has not expired yet
	expired = now.Add(-time.Minute) // a hold a minute past its expiry
	margin  = 5 * time.Second
)

func hold(id string) string { return contracts.StepKey(id, contracts.StepHold) }

func appt(id, key, slot string, status contracts.AppointmentStatus, expires time.Time) contracts.Appointment {
	return contracts.Appointment{ID: id, HoldKey: key, SlotID: slot, Status: status, HoldExpires: expires}
}

func booking(id string, s sagas.Status) reconcile.Booking {
	return reconcile.Booking{ID: id, Region: "77", Status: s}
}

// found is a difference as the table states it: its kind, the booking it
// names and the appointments involved.
type found struct {
	kind    reconcile.Kind
	booking string
	appts   []string
}

func TestCompare(t *testing.T) {
	confirmed := []reconcile.Booking{booking("b1", sagas.StatusConfirmed)}
	cases := []struct {
		name     string
		bookings []reconcile.Booking
		appts    []contracts.Appointment
		want     reconcile.Counts
		diffs    []found
	}{
		{"a confirmed booking with its one booked appointment is all clear", confirmed,
			[]contracts.Appointment{appt("A1", hold("b1"), "S-1", contracts.AppointmentBooked, later)},
			reconcile.Counts{}, nil},
		{"a released hold and an expired one are all clear", []reconcile.Booking{booking("b1", sagas.StatusRejected)},
			[]contracts.Appointment{appt("A1", hold("b1"), "S-1", contracts.AppointmentCancelled, later),
				appt("A2", hold("b2"), "S-2", contracts.AppointmentCancelled, expired)},
			reconcile.Counts{}, nil},
		{"a confirmed booking whose visit took place is all clear", confirmed,
			[]contracts.Appointment{appt("A1", hold("b1"), "S-1", contracts.AppointmentFulfilled, later)},
			reconcile.Counts{}, nil},
		{"no bookings and no appointments are all clear", nil, nil, reconcile.Counts{}, nil},
		{"a booking still pending is lost", []reconcile.Booking{booking("b1", sagas.StatusPending)},
			[]contracts.Appointment{appt("A1", hold("b1"), "S-1", contracts.AppointmentHeld, later)},
			reconcile.Counts{Lost: 1}, []found{{reconcile.Lost, "b1", nil}}},
		{"a booking still cancelling is lost", []reconcile.Booking{booking("b1", sagas.StatusCancelling)},
			[]contracts.Appointment{appt("A1", hold("b1"), "S-1", contracts.AppointmentBooked, later)},
			reconcile.Counts{Lost: 1, Mismatch: 1},
			[]found{{reconcile.Lost, "b1", nil}, {reconcile.BookedNotConfirmed, "b1", []string{"A1"}}}},
		{"two live appointments with one booking's hold key are a double by key", confirmed,
			[]contracts.Appointment{appt("A1", hold("b1"), "S-1", contracts.AppointmentBooked, later),
				appt("A2", hold("b1"), "S-2", contracts.AppointmentHeld, later)},
			reconcile.Counts{Double: 1, Orphan: 1},
			[]found{{reconcile.DoubleByKey, "b1", []string{"A1", "A2"}}, {reconcile.OrphanAfterFinal, "b1", []string{"A2"}}}},
		{"two live appointments on one slot are a double by slot", confirmed,
			[]contracts.Appointment{appt("A1", hold("b1"), "S-1", contracts.AppointmentBooked, later),
				appt("A2", hold("x"), "S-1", contracts.AppointmentHeld, later)},
			reconcile.Counts{Double: 1}, []found{{reconcile.DoubleBySlot, "", []string{"A1", "A2"}}}},
		{"live appointments without a hold key are no double by key", nil,
			[]contracts.Appointment{appt("A1", "", "S-1", contracts.AppointmentHeld, later),
				appt("A2", "", "S-2", contracts.AppointmentHeld, later)},
			reconcile.Counts{}, nil},
		{"a hold left pending after its booking failed is an orphan after final", []reconcile.Booking{booking("b1", sagas.StatusFailed)},
			[]contracts.Appointment{appt("A1", hold("b1"), "S-1", contracts.AppointmentHeld, later)},
			reconcile.Counts{Orphan: 1}, []found{{reconcile.OrphanAfterFinal, "b1", []string{"A1"}}}},
		{"a hold pending a minute past its expiry is an orphan past expiry", nil,
			[]contracts.Appointment{appt("A1", hold("x"), "S-1", contracts.AppointmentHeld, expired)},
			reconcile.Counts{Orphan: 1}, []found{{reconcile.OrphanPastExpiry, "x", []string{"A1"}}}},
		{"a hold pending within the margin after its expiry is no orphan yet", []reconcile.Booking{booking("b1", sagas.StatusPending)},
			[]contracts.Appointment{appt("A1", hold("b1"), "S-1", contracts.AppointmentHeld, now.Add(-margin/2))},
			reconcile.Counts{Lost: 1}, []found{{reconcile.Lost, "b1", nil}}},
		{"a confirmed booking the MIS does not hold is a mismatch", confirmed,
			[]contracts.Appointment{appt("A1", hold("b1"), "S-1", contracts.AppointmentCancelled, expired)},
			reconcile.Counts{Mismatch: 1}, []found{{reconcile.ConfirmedNotBooked, "b1", nil}}},
		{"a confirmed booking whose appointment is at another region's MIS is a mismatch", confirmed,
			nil, reconcile.Counts{Mismatch: 1}, []found{{reconcile.ConfirmedNotBooked, "b1", nil}}},
		{"a booked appointment whose booking failed is a mismatch", []reconcile.Booking{booking("b1", sagas.StatusFailed)},
			[]contracts.Appointment{appt("A1", hold("b1"), "S-1", contracts.AppointmentBooked, later)},
			reconcile.Counts{Mismatch: 1}, []found{{reconcile.BookedNotConfirmed, "b1", []string{"A1"}}}},
		{"a booked appointment for a booking the broker never accepted is a mismatch", nil,
			[]contracts.Appointment{appt("A1", hold("x"), "S-1", contracts.AppointmentBooked, later)},
			reconcile.Counts{Mismatch: 1}, []found{{reconcile.BookedNotConfirmed, "x", []string{"A1"}}}},
		{"a booked appointment no saga's hold made is a mismatch", nil,
			[]contracts.Appointment{appt("A1", "clinic-desk-42", "S-1", contracts.AppointmentBooked, later)},
			reconcile.Counts{Mismatch: 1}, []found{{reconcile.BookedNotConfirmed, "", []string{"A1"}}}},
		{"a booked appointment made by another step's key belongs to no booking", confirmed,
			[]contracts.Appointment{appt("A1", contracts.StepKey("b1", contracts.StepBook), "S-1", contracts.AppointmentBooked, later)},
			reconcile.Counts{Mismatch: 2},
			[]found{{reconcile.BookedNotConfirmed, "", []string{"A1"}}, {reconcile.ConfirmedNotBooked, "b1", nil}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := reconcile.Compare(tc.bookings, map[string][]contracts.Appointment{"77": tc.appts}, now, margin)
			if r.Counts != tc.want {
				t.Errorf("counts %s, want %s", r.Counts, tc.want)
			}
			if got := summarise(r.Differences); !slices.EqualFunc(got, tc.diffs, sameFound) {
				t.Errorf("differences %v, want %v", got, tc.diffs)
			}
			if r.OK() != (len(tc.diffs) == 0) {
				t.Errorf("OK() = %v with %d differences", r.OK(), len(tc.diffs))
			}
		})
	}
}

func summarise(ds []reconcile.Difference) []found {
	var out []found
	for _, d := range ds {
		f := found{kind: d.Kind, booking: d.BookingID}
		for _, a := range d.Appointments {
			f.appts = append(f.appts, a.ID)
		}
		out = append(out, f)
	}
	return out
}

func sameFound(a, b found) bool {
	return a.kind == b.kind && a.booking == b.booking && slices.Equal(a.appts, b.appts)
}

func TestCompareMatchesAppointmentsWithinTheirRegionOnly(t *testing.T) {
	bookings := []reconcile.Booking{{ID: "b1", Region: "77", Status: sagas.StatusConfirmed}}
	appts := map[string][]contracts.Appointment{
		"77": {appt("A1", hold("b1"), "S-1", contracts.AppointmentBooked, later)},
		"50": {appt("A9", hold("b1"), "S-1", contracts.AppointmentBooked, later)},
	}
	r := reconcile.Compare(bookings, appts, now, margin)
	want := []found{{reconcile.BookedNotConfirmed, "b1", []string{"A9"}}}
	if got := summarise(r.Differences); !slices.EqualFunc(got, want, sameFound) || r.Differences[0].Region != "50" {
		t.Errorf("differences %+v, want region 50's A9 only", r.Differences)
	}
}

func TestDifferencesAreSaidInSentencesNamingTheirParts(t *testing.T) {
	bookings := []reconcile.Booking{booking("b1", sagas.StatusPending), booking("b2", sagas.StatusFailed), booking("b3", sagas.StatusConfirmed)}
	appts := map[string][]contracts.Appointment{"77": {
		appt("A1", hold("b2"), "S-1", contracts.AppointmentHeld, later),
		appt("A2", hold("b2"), "S-1", contracts.AppointmentBooked, later),
	}}
	r := reconcile.Compare(bookings, appts, now, margin)
	if len(r.Differences) == 0 {
		t.Fatal("no differences")
	}
	for _, d := range r.Differences {
		s := d.String()
		if !strings.HasPrefix(s, "region 77: ") || (d.BookingID != "" && !strings.Contains(s, d.BookingID)) {
			t.Errorf("%s: %q does not name its region and booking", d.Kind, s)
		}
		for _, a := range d.Appointments {
			if !strings.Contains(s, a.ID) {
				t.Errorf("%s: %q does not name appointment %s", d.Kind, s, a.ID)
			}
		}
	}
}

// The booking saga's hold key is the one Compare reads: if sagas renamed
// its hold step, every appointment would look like nobody's.
func TestTheBookingSagasHoldKeyIsTheOneCompareReads(t *testing.T) {
	if got, want := sagas.IdempotencyKey("b1", sagas.StepHold), hold("b1"); got != want {
		t.Fatalf("the booking saga holds with key %q, reconcile reads %q", got, want)
	}
	for step, want := range map[sagas.Step]string{sagas.StepBook: contracts.StepBook, sagas.StepRelease: contracts.StepRelease, sagas.StepCancel: contracts.StepCancel} {
		if got := sagas.IdempotencyKey("b1", step); got != contracts.StepKey("b1", want) {
			t.Errorf("step %s sends key %q, contracts names it %q", step, got, contracts.StepKey("b1", want))
		}
	}
}

func TestCompareMatchesABookingMadeElsewhereByItsAppointment(t *testing.T) {
	appts := map[string][]contracts.Appointment{"77": {{ID: "E-1", SlotID: "W-1", Status: contracts.AppointmentBooked}}}
	if r := reconcile.Compare(nil, appts, now, time.Minute); r.Counts.Mismatch != 1 {
		t.Fatalf("an appointment made elsewhere the history lacks: %v, want one mismatch", r.Counts)
	}
	imported := []reconcile.Booking{{ID: "b-e1", Region: "77", Status: sagas.StatusConfirmed, AppointmentID: "E-1"}}
	if r := reconcile.Compare(imported, appts, now, time.Minute); !r.OK() {
		t.Fatalf("the imported booking: %v %v", r.Counts, r.Differences)
	}
	imported[0].Region = "78" // an appointment of one MIS belongs only to a booking of that region
	if r := reconcile.Compare(imported, appts, now, time.Minute); r.Counts.Mismatch != 2 {
		t.Fatalf("another region's booking: %v, want two mismatches", r.Counts)
	}
}
