package sagas

import (
	"context"
	"time"
)

// Store persists bookings with their timeline and outbox. The SQL
// implementation (store.DB, on SQLite or PostgreSQL) is safe for concurrent
// use and passes the shared suite in store/storetest, as every
// implementation must.
type Store interface {
	// Create saves a new booking with its timeline and outbox in one
	// transaction. ErrConflict when the id exists.
	Create(ctx context.Context, b *Booking) error
	// Update loads the booking (without its timeline: fn appends to it, and
	// only the appended entries are in b.Timeline), calls fn and saves the
	// result with its new timeline entries and outbox messages in one
	// transaction. When fn
	// returns an error nothing is written and Update returns it. A
	// concurrent change of the same booking is detected (optimistic
	// version); Update then retries fn on the fresh state.
	// ErrNotFound when the id does not exist.
	Update(ctx context.Context, id string, fn func(*Booking) error) error
	// Get returns one booking with its timeline. ErrNotFound when absent.
	Get(ctx context.Context, id string) (*Booking, error)
	// ListByCitizen returns a citizen's bookings, newest first.
	ListByCitizen(ctx context.Context, citizen string, limit int) ([]*Booking, error)
	// Overdue returns the ids of pending bookings whose deadline is before now.
	Overdue(ctx context.Context, now time.Time, limit int) ([]string, error)
	// Stalled returns the ids of bookings releasing or cancelling that have
	// not changed since before, oldest first.
	Stalled(ctx context.Context, before time.Time, limit int) ([]string, error)
}
