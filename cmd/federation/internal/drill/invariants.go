package drill

import (
	"fmt"
	"strings"
	"time"

	"github.com/fedhealth/federation/regions/missim"
)

// Counts are the broken invariants found; all zero is a pass.
type Counts struct {
	Lost     int // accepted bookings that never reached a final status
	Double   int // booking ids or slots with more than one live appointment
	Orphan   int // holds still pending after their booking ended or expired
	Mismatch int // history and MIS disagree about a confirmed booking
}

// OK reports whether every invariant holds.
func (c Counts) OK() bool { return c == Counts{} }

func (c Counts) String() string {
	return fmt.Sprintf("lost=%d double=%d orphan=%d mismatch=%d", c.Lost, c.Double, c.Orphan, c.Mismatch)
}

// BookingState is what the broker says about one accepted booking.
type BookingState struct{ ID, Region, Status string }

// holdSuffix ends the Idempotency-Key of a booking saga's hold at the MIS:
// "<booking id>:hold" (sagas.IdempotencyKey with StepHold).
const holdSuffix = ":hold"

// Check compares the broker's bookings with every region's appointments
// (region code → what its MIS holds) at now. A hold counts as an orphan
// when its booking is final but the hold is still pending, or when it is
// still pending margin after its expiry.
func Check(bookings []BookingState, appts map[string][]missim.AdminAppointment, now time.Time, margin time.Duration) Counts {
	byID := make(map[string]BookingState, len(bookings))
	var c Counts
	for _, b := range bookings {
		byID[b.ID] = b
		if !finalStatus(b.Status) {
			c.Lost++
		}
	}
	for _, list := range appts {
		c.Double += doubles(list)
		for _, a := range list {
			b, known := byID[strings.TrimSuffix(a.HoldKey, holdSuffix)]
			if a.Status == "pending" && ((known && finalStatus(b.Status)) || now.After(a.HoldExpires.Add(margin))) {
				c.Orphan++
			}
			if a.Status == "booked" && (!known || b.Status != "confirmed") {
				c.Mismatch++
			}
		}
	}
	for _, b := range bookings {
		if b.Status == "confirmed" && bookedFor(appts[b.Region], b.ID) != 1 {
			c.Mismatch++
		}
	}
	return c
}

// live reports an appointment that holds its slot.
func live(a missim.AdminAppointment) bool { return a.Status == "pending" || a.Status == "booked" }

// doubles counts hold keys and slots with more than one live appointment.
func doubles(list []missim.AdminAppointment) int {
	byKey, bySlot := map[string]int{}, map[string]int{}
	for _, a := range list {
		if live(a) {
			byKey[a.HoldKey]++
			bySlot[a.SlotID]++
		}
	}
	n := 0
	for _, m := range []map[string]int{byKey, bySlot} {
		for _, k := range m {
			if k > 1 {
				n++
			}
		}
	}
	return n
}

func bookedFor(list []missim.AdminAppointment, id string) int {
	n := 0
	for _, a := range list {
		if a.HoldKey == id+holdSuffix && a.Status == "booked" {
			n++
		}
	}
	return n
}
