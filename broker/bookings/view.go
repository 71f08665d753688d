package bookings

import (
	"time"

	"github.com/fedhealth/federation/contracts"

	"github.com/fedhealth/federation/sagas"
)

// Booking is one booking as its citizen sees it: what was booked, where it
// stands, and its timeline. It carries none of the saga's internals.
type Booking struct {
	ID        string
	Status    sagas.Status
	Region    string
	Slot      sagas.SlotSnapshot
	Reason    string
	CreatedAt time.Time
	UpdatedAt time.Time
	Timeline  []sagas.TimelineEntry
}

func toBooking(b *sagas.Booking) Booking {
	return Booking{ID: b.ID, Status: b.Status, Region: b.Region, Slot: b.Slot, Reason: b.Reason,
		CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, Timeline: b.Timeline}
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
