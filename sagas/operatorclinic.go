package sagas

import "context"

// OperatorConfirmed lists a feed region's confirmed bookings, on which the
// region's operators record what the clinic did (cancelled, moved,
// visited, no-show) as clinic events; the SQL store (store.DB) implements
// it.
type OperatorConfirmed interface {
	// ConfirmedOperatorBookings returns up to limit confirmed bookings of
	// the feed region, earliest appointment first (then id). Timelines are
	// not loaded.
	ConfirmedOperatorBookings(ctx context.Context, region string, limit int) ([]*Booking, error)
}
