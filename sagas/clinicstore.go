package sagas

import (
	"context"
	"time"
)

// ClinicStore is what the store keeps for the clinic's changes besides the
// bookings themselves; the SQL store (store.DB) implements it and storetest
// checks it.
type ClinicStore interface {
	// ByAppointment returns the id of the booking of region's MIS
	// appointment appointmentID (index bookings_by_appointment);
	// ErrNotFound when none has it.
	ByAppointment(ctx context.Context, region, appointmentID string) (string, error)
	// ClinicEventApplied reports whether the event id was applied (see
	// Booking.ClinicEvent): a cheap check before loading the booking;
	// the transaction that applies an event is what makes it exact.
	ClinicEventApplied(ctx context.Context, eventID string) (bool, error)
	// ParkUnmatched keeps a clinic event whose appointment no booking has;
	// parking the same event id again is a no-op.
	ParkUnmatched(ctx context.Context, e UnmatchedClinicEvent) error
	// Unmatched lists the parked events, oldest first; with matched set,
	// only those whose appointment a booking now has.
	Unmatched(ctx context.Context, matched bool, limit int) ([]UnmatchedClinicEvent, error)
	// DeleteUnmatched removes a parked event once applied.
	DeleteUnmatched(ctx context.Context, eventID string) error
	// Enqueue writes messages to the outbox in a transaction of their own:
	// once it returns they will be published, at least once.
	Enqueue(ctx context.Context, msgs ...OutboxMessage) error
}

// UnmatchedClinicEvent is a clinic event parked until a booking of its
// appointment appears.
type UnmatchedClinicEvent struct {
	EventID       string
	Region        string
	AppointmentID string
	Payload       []byte // the ClinicEvent v1 as received
	ReceivedAt    time.Time
}
