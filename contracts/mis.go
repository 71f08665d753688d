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
// # Finding an appointment again
//
// Every kind can find an appointment the broker made from the HoldRequest
// that made it: by the hold's key where the MIS keeps keys (fhir), and
// where it does not, through the adapter's durable ledger and then the
// MIS's own read-back, which some kinds can make only by patient (soap by
// the session the patient opened, jsonrpc by OMS policy and birth date).
// So the calls that look for an appointment (FindHold, Book) take that
// HoldRequest, unchanged, and no adapter keeps patients in memory: a
// broker restarted between two steps finds what it made. The caller keeps
// the HoldRequest, patient included, for as long as it may make those
// calls; the booking saga keeps the sealed patient until its compensation
// has finished. Cancel needs only the appointment id in every kind, so a
// cancellation, which runs after the patient is erased, needs none. A
// HoldRequest whose Patient is zero (no longer known) is answered from
// what the adapter recorded; where that cannot tell, the answer is
// ErrOutcomeUnknown, never ErrNotFound.
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
	// Book turns the hold req names into a booked appointment. An expired
	// or released hold gives ErrHoldExpired.
	Book(ctx context.Context, req BookRequest) (Appointment, error)
	// Cancel cancels a booked appointment or releases a hold. Cancelling a
	// cancelled appointment succeeds and changes nothing.
	Cancel(ctx context.Context, appointmentID, idempotencyKey string) (Appointment, error)
	// FindHold returns the appointment that the Hold call with req made,
	// in its current state (held, booked, cancelled, ...), or ErrNotFound
	// when that hold never took effect. req is that Hold call's request,
	// unchanged. It is how a saga learns the truth after ErrOutcomeUnknown,
	// also after a restart of the broker.
	FindHold(ctx context.Context, req HoldRequest) (Appointment, error)
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

// BookRequest asks the MIS to book the hold that Hold made.
type BookRequest struct {
	// AppointmentID is the hold's id, as Hold or FindHold returned it.
	AppointmentID string
	// Hold is the request that made the hold, unchanged: an MIS that
	// finds appointments only by patient checks the hold with it.
	Hold HoldRequest
	// IdempotencyKey is the key of this Book call (not the hold's).
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

// AppointmentReader is the optional port of an MIS whose appointments can be
// read back by the MIS's own id, without the patient: reconciliation reads
// with it. The fhir and soap adapters implement it (and the breaker passes
// it through, answering ErrUnsupported when the MIS behind it cannot); a
// kind that can read only by patient (jsonrpc) does not.
type AppointmentReader interface {
	// ReadAppointment returns the appointment's current state, or
	// ErrNotFound when the MIS has no appointment of that id.
	ReadAppointment(ctx context.Context, appointmentID string) (Appointment, error)
}

// PatientAppointmentReader is the optional port of an MIS that reads
// appointments only by patient (the jsonrpc kind: OMS policy and birth
// date). Reconciliation reads with it while the broker still keeps the
// booking's sealed identifiers (docs/history.md, "Reconciliation"). The
// breaker passes it through, answering ErrUnsupported when the MIS behind
// it cannot.
type PatientAppointmentReader interface {
	// PatientAppointments returns every appointment the MIS holds for p,
	// whatever their status, with their times (Patient is p).
	PatientAppointments(ctx context.Context, p Patient) ([]PeriodAppointment, error)
}

// PeriodAppointment is one appointment as an MIS lists it, by period or
// by patient, with its times and the patient it names, as reconciliation
// reads it to find the appointments made through other channels. Patient is personal data: the reader turns
// it into patient keys at once and keeps nothing else of it.
type PeriodAppointment struct {
	Appointment
	Start, End time.Time
	Patient    Patient
	// Channel is one of ClinicChannels when the MIS says through which
	// channel it was made; empty when it does not.
	Channel string
	// Specialty (a code of the federal directory), SpecialtyName,
	// PractitionerName and FacilityName describe it for the history, when
	// the MIS says.
	Specialty, SpecialtyName, PractitionerName, FacilityName string
}

// PeriodAppointmentReader is the optional port of an MIS that lists its
// appointments by period (the fhir kind: GET /Appointment?date=ge..&date=le..).
// The breaker passes it through, answering ErrUnsupported when the MIS
// behind it cannot.
type PeriodAppointmentReader interface {
	// PeriodAppointments returns the appointments whose start is within
	// [from, to], whatever their status.
	PeriodAppointments(ctx context.Context, from, to time.Time) ([]PeriodAppointment, error)
}
