package reconcile

import (
	"fmt"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// Kind says what differs between the history and an MIS. Each kind breaks
// one of the four invariants that Counts counts (see Kind.Invariant).
type Kind string

// Kinds of difference.
const (
	// Lost: the broker accepted the booking and it never reached a final
	// status.
	Lost Kind = "lost"
	// DoubleByKey: more than one live appointment carries one hold key,
	// so one booking holds several slots.
	DoubleByKey Kind = "double_by_key"
	// DoubleBySlot: more than one live appointment on one slot.
	DoubleBySlot Kind = "double_by_slot"
	// OrphanAfterFinal: a hold is still pending though its booking ended.
	OrphanAfterFinal Kind = "orphan_after_final"
	// OrphanPastExpiry: a hold is still pending well past its expiry.
	OrphanPastExpiry Kind = "orphan_past_expiry"
	// BookedNotConfirmed: the MIS booked an appointment whose booking the
	// broker does not have as confirmed, or has no record of.
	BookedNotConfirmed Kind = "booked_not_confirmed"
	// ConfirmedNotBooked: the broker has the booking as confirmed, but the
	// MIS holds no booked appointment for it, or more than one.
	ConfirmedNotBooked Kind = "confirmed_not_booked"

	// The kinds a reconciliation pass (Pass) finds by reading one booking's
	// appointment at its MIS, each repaired by the clinic event it names.

	// CancelledAtMIS: the broker has the booking confirmed, the MIS has
	// its appointment cancelled (repaired: cancelled).
	CancelledAtMIS Kind = "cancelled_at_mis"
	// MovedAtMIS: the MIS's appointment is on another slot, at another
	// time (repaired: moved).
	MovedAtMIS Kind = "moved_at_mis"
	// VisitedAtMIS: the MIS recorded the visit (repaired: visited).
	VisitedAtMIS Kind = "visited_at_mis"
	// NoShowAtMIS: the MIS recorded a no-show (repaired: no_show).
	NoShowAtMIS Kind = "no_show_at_mis"
	// EndedDifferently: both sides have the booking ended, differently
	// (the broker visited or no-show, the MIS cancelled). A final status is
	// never changed but a visit and a no-show correcting each other, so it
	// is reported for a person, not repaired.
	EndedDifferently Kind = "ended_differently"
	// Unreadable: the MIS answered the read of this appointment with an
	// error that is not about the region's health (a malformed id, a broken
	// answer).
	Unreadable Kind = "unreadable"
	// BookedElsewhere: the MIS holds a booked appointment, made through
	// another channel, for a patient who has a portal booking, and the
	// history has no booking of it (repaired: booked_elsewhere, which
	// creates the booking).
	BookedElsewhere Kind = "booked_elsewhere"
)

// Invariant is the broken invariant k is counted under: "lost", "double",
// "orphan" or "mismatch".
func (k Kind) Invariant() string {
	switch k {
	case DoubleByKey, DoubleBySlot:
		return "double"
	case OrphanAfterFinal, OrphanPastExpiry:
		return "orphan"
	case BookedNotConfirmed, ConfirmedNotBooked, CancelledAtMIS, MovedAtMIS, VisitedAtMIS, NoShowAtMIS, EndedDifferently, Unreadable, BookedElsewhere:
		return "mismatch"
	}
	return string(k)
}

// Difference is one disagreement between the history and an MIS.
type Difference struct {
	Kind   Kind
	Region string
	// BookingID is the booking concerned: the broker's, or the one an
	// appointment's hold key names when the broker has no record of it.
	// Empty for a double by slot and for an appointment whose key no saga
	// made.
	BookingID string
	// Status is the broker's status of the booking; empty when the broker
	// has no record of it.
	Status sagas.Status
	// Appointments are the MIS's appointments involved, as it returned them.
	Appointments []contracts.Appointment
}

// String says the difference in one sentence, for logs and reports.
func (d Difference) String() string {
	ids := appointmentIDs(d.Appointments)
	switch d.Kind {
	case Lost:
		return fmt.Sprintf("region %s: booking %s is still %s", d.Region, d.BookingID, d.Status)
	case DoubleByKey:
		return fmt.Sprintf("region %s: %d live appointments (%s) carry the hold key of booking %s", d.Region, len(d.Appointments), ids, d.BookingID)
	case DoubleBySlot:
		return fmt.Sprintf("region %s: %d live appointments (%s) on slot %s", d.Region, len(d.Appointments), ids, d.Appointments[0].SlotID)
	case OrphanAfterFinal:
		return fmt.Sprintf("region %s: hold %s is still pending though booking %s is %s", d.Region, ids, d.BookingID, d.Status)
	case OrphanPastExpiry:
		return fmt.Sprintf("region %s: hold %s is still pending, it expired at %s", d.Region, ids, d.Appointments[0].HoldExpires.Format(time.RFC3339))
	case BookedNotConfirmed:
		return fmt.Sprintf("region %s: appointment %s is %s at the MIS but %s", d.Region, ids, d.Appointments[0].Status, d.brokerSide())
	case ConfirmedNotBooked:
		return fmt.Sprintf("region %s: booking %s is confirmed but the MIS holds %d booked appointments for it", d.Region, d.BookingID, len(d.Appointments))
	}
	return fmt.Sprintf("region %s: %s difference for booking %q", d.Region, d.Kind, d.BookingID)
}

func (d Difference) brokerSide() string {
	switch {
	case d.BookingID == "":
		return "no booking of the broker's made it"
	case d.Status == "":
		return "the broker has no booking " + d.BookingID
	}
	return fmt.Sprintf("booking %s is %s", d.BookingID, d.Status)
}

func appointmentIDs(as []contracts.Appointment) string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	return strings.Join(ids, ", ")
}
