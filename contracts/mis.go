package contracts

import (
	"context"
	"time"
)

// MIS is the port through which the broker reaches one region's medical
// information system. The regions packages implement it (real-time contract
// client, breaker decorator, ...); sagas and the slot search use it.
//
// Every method is safe for concurrent use. Every state-changing method takes
// an idempotency key: repeating a call with the same key returns the first
// call's result and changes nothing more, so a caller that saw
// ErrOutcomeUnknown repeats the call with the same key.
//
// Errors: ErrInvalid, ErrNotFound, the refusals (ErrSlotTaken, ErrHoldExpired,
// ErrNotAttached, ErrReferralRequired), ErrRegionUnavailable when the MIS
// cannot be reached or is failing, ErrOutcomeUnknown when a state-changing
// call got no answer.
type MIS interface {
	// SearchSlots lists free slots matching q, ordered by start time.
	SearchSlots(ctx context.Context, q SlotQuery) ([]Slot, error)
	// ReadSlot returns one slot with its practitioner and facility, free or not.
	ReadSlot(ctx context.Context, slotID string) (Slot, error)
	// Hold reserves a free slot for the patient until an expiry the MIS
	// chooses; the result is an appointment in status AppointmentHeld.
	Hold(ctx context.Context, req HoldRequest) (Appointment, error)
	// Book turns a hold into a booked appointment. An expired or released
	// hold gives ErrHoldExpired.
	Book(ctx context.Context, appointmentID, idempotencyKey string) (Appointment, error)
	// Cancel cancels a booked appointment or releases a hold. Cancelling a
	// cancelled appointment succeeds and changes nothing.
	Cancel(ctx context.Context, appointmentID, idempotencyKey string) (Appointment, error)
	// ReadAppointment returns the appointment's current state.
	ReadAppointment(ctx context.Context, appointmentID string) (Appointment, error)
	// FindByHoldKey returns the appointment created by the Hold call that
	// carried holdKey, or ErrNotFound when that hold never took effect. It is
	// how a saga learns the truth after ErrOutcomeUnknown.
	FindByHoldKey(ctx context.Context, holdKey string) (Appointment, error)
}

// SlotQuery selects free slots. From and To are calendar dates in the
// region's time zone; To is inclusive. Empty filters match everything.
type SlotQuery struct {
	Specialty      string
	PractitionerID string
	FacilityID     string
	From, To       time.Time
	// Limit caps the number of slots returned; 0 means the MIS default.
	Limit int
}

// Slot is a free or taken interval at a practitioner in a facility.
// Start and End carry the region's time zone.
type Slot struct {
	ID           string
	Start, End   time.Time
	Specialty    Coding
	Practitioner Practitioner
	Facility     Facility
	Free         bool
}

// Coding is a code from a reference directory with its human-readable name.
type Coding struct {
	System  string
	Code    string
	Display string
}

// Practitioner is the doctor who owns a slot.
type Practitioner struct {
	ID   string
	Name string
}

// Facility is the clinic where the slot takes place; ID is its federal
// registry OID where the MIS knows it.
type Facility struct {
	ID      string
	Name    string
	Address string
}

// Patient carries the identifiers the MIS needs to find the patient. They are
// personal data: never log them, never store them in clear outside the
// saga's sealed field.
type Patient struct {
	SNILS string
	OMS   string
	// BirthDate is YYYY-MM-DD, or "" when unknown; MIS that identify a
	// patient by OMS policy and birth date (the jsonrpc kind) need it.
	BirthDate string
}

// HoldRequest asks the MIS to hold SlotID for Patient.
type HoldRequest struct {
	SlotID         string
	Patient        Patient
	IdempotencyKey string
}

// AppointmentStatus is the life of an appointment at the MIS.
type AppointmentStatus string

// Appointment statuses, as the contract names them (FHIR Appointment.status).
const (
	AppointmentHeld      AppointmentStatus = "pending"
	AppointmentBooked    AppointmentStatus = "booked"
	AppointmentCancelled AppointmentStatus = "cancelled"
	AppointmentFulfilled AppointmentStatus = "fulfilled"
	AppointmentNoShow    AppointmentStatus = "noshow"
)

// Appointment is a hold or a booking at the MIS.
type Appointment struct {
	ID     string
	SlotID string
	Status AppointmentStatus
	// HoldExpires is when an AppointmentHeld lapses by itself.
	HoldExpires time.Time
	// HoldKey is the idempotency key of the Hold call that created it.
	HoldKey string
}

// Directory finds the MIS of a region. The regions registry implements it.
// MIS returns an error wrapping ErrNotFound for a region it does not know.
type Directory interface {
	MIS(region string) (MIS, error)
}
