package store

import (
	"context"

	"github.com/fedhealth/federation/sagas"
)

var _ sagas.OperatorConfirmed = (*DB)(nil)

// ConfirmedOperatorBookings implements sagas.OperatorConfirmed; the
// partial index bookings_feed_slot holds every live feed booking of a
// region, so the scan stays within the region's live ones.
func (s *DB) ConfirmedOperatorBookings(ctx context.Context, region string, limit int) ([]*sagas.Booking, error) {
	return s.queryBookings(ctx, "confirmed feed bookings of region "+region, s.d.Bind(`SELECT `+bookingColumns+` FROM bookings
		WHERE region = ? AND saga_kind = 'operator' AND status IN ('pending', 'confirmed', 'cancelling') AND status = 'confirmed'
		ORDER BY slot_start, id LIMIT ?`), region, limit)
}
