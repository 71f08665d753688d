package drill_test

import (
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/drill"
	"github.com/fedhealth/federation/regions/missim"
)

func appt(key, slot, status string, expires time.Time) missim.AdminAppointment {
	return missim.AdminAppointment{HoldKey: key, SlotID: slot, Status: status, HoldExpires: expires}
}

func TestCheck(t *testing.T) {
	now := time.Now()
	later, long := now.Add(time.Minute), now.Add(-time.Minute)
	confirmed := []drill.BookingState{{ID: "b1", Region: "77", Status: "confirmed"}}
	cases := []struct {
		name     string
		bookings []drill.BookingState
		appts    []missim.AdminAppointment
		want     drill.Counts
	}{
		{"a confirmed booking with its one booked appointment breaks nothing", confirmed,
			[]missim.AdminAppointment{appt("b1:hold", "S-1", "booked", later)}, drill.Counts{}},
		{"a booking still pending is lost", []drill.BookingState{{ID: "b1", Region: "77", Status: "pending"}},
			[]missim.AdminAppointment{appt("b1:hold", "S-1", "pending", later)}, drill.Counts{Lost: 1}},
		{"two live appointments for one booking are a double booking", confirmed,
			[]missim.AdminAppointment{appt("b1:hold", "S-1", "booked", later), appt("b1:hold", "S-2", "pending", later)},
			drill.Counts{Double: 1, Orphan: 1}},
		{"two live appointments on one slot are a double booking", confirmed,
			[]missim.AdminAppointment{appt("b1:hold", "S-1", "booked", later), appt("x:hold", "S-1", "pending", later)},
			drill.Counts{Double: 1}},
		{"a hold left pending after its booking failed is an orphan", []drill.BookingState{{ID: "b1", Region: "77", Status: "failed"}},
			[]missim.AdminAppointment{appt("b1:hold", "S-1", "pending", later)}, drill.Counts{Orphan: 1}},
		{"a hold pending long past its expiry is an orphan", nil,
			[]missim.AdminAppointment{appt("x:hold", "S-1", "pending", long)}, drill.Counts{Orphan: 1}},
		{"a released or expired hold breaks nothing", []drill.BookingState{{ID: "b1", Region: "77", Status: "rejected"}},
			[]missim.AdminAppointment{appt("b1:hold", "S-1", "cancelled", later), appt("b2:hold", "S-2", "expired", long)}, drill.Counts{}},
		{"a confirmed booking the MIS does not hold is a mismatch", confirmed,
			[]missim.AdminAppointment{appt("b1:hold", "S-1", "expired", long)}, drill.Counts{Mismatch: 1}},
		{"a booked appointment whose booking failed is a mismatch", []drill.BookingState{{ID: "b1", Region: "77", Status: "failed"}},
			[]missim.AdminAppointment{appt("b1:hold", "S-1", "booked", later)}, drill.Counts{Mismatch: 1}},
		{"a booked appointment for a booking the broker never accepted is a mismatch", nil,
			[]missim.AdminAppointment{appt("x:hold", "S-1", "booked", later)}, drill.Counts{Mismatch: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := drill.Check(tc.bookings, map[string][]missim.AdminAppointment{"77": tc.appts}, now, 5*time.Second)
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
