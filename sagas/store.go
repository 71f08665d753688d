package sagas

import (
	"context"
	"time"
)

// CitizenLoad is what the citizen guards judge a new booking by
// (Store.Load). It is counted and filtered in the database rather than
// read whole: a citizen's every live booking read and decoded for each new
// one was a tenth of the broker's CPU per booking.
type CitizenLoad struct {
	// Active counts the citizen's active bookings: pending, cancelling and
	// rescheduling, and confirmed whose slot has not begun.
	Active int
	// Near are the citizen's live bookings (as Live lists them) whose slot
	// shares an instant with the new slot, and those being moved (whose
	// new slot the guard compares too), soonest slot first.
	Near []*Booking
}

// Store persists bookings with their timeline and outbox. The SQL
// implementation (store.DB, on SQLite or PostgreSQL) is safe for concurrent
// use and passes the shared suite in store/storetest, as every
// implementation must.
type Store interface {
	// Create saves a new booking with its timeline and outbox in one
	// transaction. ErrConflict when the id exists.
	Create(ctx context.Context, b *Booking) error
	// CreateGuarded is Create for a citizen's new booking under the
	// citizen's guard: in the same transaction, and one at a time per
	// citizen (on every instance sharing the database), it reads the
	// citizen's load for b's slot as of b.CreatedAt (as Load does, b itself
	// never counted) and calls guard with it. When guard returns an
	// error nothing is written and CreateGuarded returns it as it is; so
	// of two concurrent creations one sees the other's booking.
	CreateGuarded(ctx context.Context, b *Booking, guard func(CitizenLoad) error) error
	// Load is what the citizen guards judge a new booking of citizen for
	// slot by, as of now, leaving booking except out (a request run again).
	Load(ctx context.Context, citizen string, slot SlotSnapshot, now time.Time, except string) (CitizenLoad, error)
	// Live returns a citizen's live bookings, soonest slot first, without
	// their timelines: pending (feed bookings awaiting their operator
	// included) and cancelling whatever their slot's time, and confirmed
	// whose slot ends after now.
	Live(ctx context.Context, citizen string, now time.Time) ([]*Booking, error)
	// Update loads the booking (without its timeline: fn appends to it, and
	// only the appended entries are in b.Timeline), calls fn and saves the
	// result with its new timeline entries and outbox messages in one
	// transaction. When fn
	// returns an error nothing is written and Update returns it. A
	// concurrent change of the same booking is detected (optimistic
	// version); Update then retries fn on the fresh state.
	// ErrNotFound when the id does not exist.
	Update(ctx context.Context, id string, fn func(*Booking) error) error
	// Get returns one booking with its timeline, and the patient keys of a
	// booking made elsewhere (no Citizen: the keys are how its patient is
	// found). ErrNotFound when absent.
	Get(ctx context.Context, id string) (*Booking, error)
	// State returns one booking without its timeline and patient keys, as
	// Update's fn sees it: what a saga decides its next step by, for one
	// read per step instead of three. ErrNotFound when absent.
	State(ctx context.Context, id string) (*Booking, error)
	// ListByCitizen returns a citizen's bookings, newest first: those the
	// citizen made (by pseudonym) and those made for the patient through
	// another channel (by any of patientKeys, see Booking.PatientKeys).
	ListByCitizen(ctx context.Context, citizen string, patientKeys []string, limit int) ([]*Booking, error)
	// Overdue returns the ids of pending bookings whose deadline is before now.
	Overdue(ctx context.Context, now time.Time, limit int) ([]string, error)
	// Stalled returns the ids of bookings releasing, cancelling or being
	// rescheduled that have not changed since before, oldest first.
	Stalled(ctx context.Context, before time.Time, limit int) ([]string, error)
}
