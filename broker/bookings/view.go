package bookings

import (
	"time"

	"github.com/fedhealth/federation/contracts"

	"github.com/fedhealth/federation/sagas"
)

// Booking is one booking as its citizen sees it: what was booked, where it
// stands, and its timeline. It carries none of the saga's internals.
// Texts are by code (ReasonCode, TimelineEntry.Code): the adapter renders
// them in the reader's language with sagas.Text; Reason is the English.
type Booking struct {
	ID          string
	Status      sagas.Status
	Region      string
	Slot        sagas.SlotSnapshot
	Reason      string
	ReasonCode  string
	CancelledBy sagas.CancelledBy
	// Source is where the booking was made (portal, or clinic for one
	// made through Channel).
	Source  sagas.Source
	Channel string
	// MovingTo is the new slot while the booking is rescheduling and the
	// new one is not booked yet (then Slot shows it).
	MovingTo  *sagas.SlotSnapshot
	CreatedAt time.Time
	UpdatedAt time.Time
	Timeline  []sagas.TimelineEntry
}

func toBooking(b *sagas.Booking) Booking {
	src := b.Source
	if src == "" {
		src = sagas.SourcePortal
	}
	out := Booking{ID: b.ID, Status: b.Status, Region: b.Region, Slot: b.Slot, Reason: b.Reason,
		ReasonCode: b.ReasonCode, CancelledBy: b.CancelledBy, Source: src, Channel: b.Channel,
		CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, Timeline: b.Timeline}
	if b.Move != nil && b.Move.OldAppointmentID == "" { // once booked, Slot shows the new one
		slot := b.Move.Slot
		out.MovingTo = &slot
	}
	return out
}

// snapshot is what the booking keeps of the slot, as the MIS described it.
func snapshot(region string, sl contracts.Slot) sagas.SlotSnapshot {
	return sagas.SlotSnapshot{
		ID: GlobalSlotID(region, sl.ID), MISSlotID: sl.ID, Start: sl.Start, End: sl.End,
		Specialty: sl.Specialty.Code, SpecialtyName: sl.Specialty.Display,
		PractitionerID: sl.Practitioner.ID, PractitionerName: sl.Practitioner.Name,
		FacilityID: sl.Facility.ID, FacilityName: sl.Facility.Name, FacilityAddress: sl.Facility.Address,
	}
}
