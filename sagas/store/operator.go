package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

var _ sagas.OperatorQueue = (*DB)(nil)

// errDuplicate: an insert broke a unique index, either the booking's id
// or the feed slot's (whichDuplicate tells them apart).
var errDuplicate = errors.New("store: duplicate booking")

// arbitratedSlot is the slot the store arbitrates for b: the MIS slot id
// of a feed region's booking (bookings_feed_slot), nothing for the others,
// whose MIS refuses a second hold itself.
func arbitratedSlot(b *sagas.Booking) string {
	if b.ViaOperator() {
		return b.Slot.MISSlotID
	}
	return ""
}

// whichDuplicate names the index a refused insert of b broke: its id
// (ErrConflict: the same request again) or, for a feed booking, its slot
// (ErrSlotTaken: another live booking holds it). It reads after the
// failed transaction, which PostgreSQL cannot continue.
func (s *DB) whichDuplicate(ctx context.Context, b *sagas.Booking) error {
	var one int
	err := s.r.QueryRowContext(ctx, s.d.Bind(`SELECT 1 FROM bookings WHERE id = ?`), b.ID).Scan(&one)
	switch {
	case err == nil || !b.ViaOperator():
		return fmt.Errorf("store: booking %s exists: %w", b.ID, contracts.ErrConflict)
	default:
		return fmt.Errorf("store: slot %s of region %s is held by another booking: %w", b.Slot.MISSlotID, b.Region, contracts.ErrSlotTaken)
	}
}

// Queue implements sagas.OperatorQueue.
func (s *DB) Queue(ctx context.Context, region string, after sagas.QueueCursor, limit int) ([]*sagas.Booking, error) {
	return s.queryBookings(ctx, "operator queue", s.d.Bind(`SELECT `+bookingColumns+` FROM bookings
		WHERE region = ? AND saga_kind = 'operator' AND step IN ('operator', 'operator_cancel')
		AND (updated_at > ? OR (updated_at = ? AND id > ?))
		ORDER BY updated_at, id LIMIT ?`), region, nanos(after.At), nanos(after.At), after.ID, limit)
}

// LiveOperatorSlots implements sagas.OperatorQueue, from the partial
// index bookings_feed_slot (its terms are the index's).
func (s *DB) LiveOperatorSlots(ctx context.Context, region string, endingAfter time.Time) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, s.d.Bind(`SELECT mis_slot_id FROM bookings
		WHERE region = ? AND saga_kind = 'operator' AND status IN ('pending', 'confirmed', 'cancelling')
		AND (slot_end = 0 OR slot_end > ?)`), region, nanos(endingAfter))
	if err != nil {
		return nil, fmt.Errorf("store: live feed slots of region %s: %w", region, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var slot string
		if err := rows.Scan(&slot); err != nil {
			return nil, err
		}
		out = append(out, slot)
	}
	return out, rows.Err()
}

// queryBookings runs query (its columns bookingColumns) on the readers and
// returns its bookings, timelines not read; what names the list in errors.
func (s *DB) queryBookings(ctx context.Context, what, query string, args ...any) ([]*sagas.Booking, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	out := []*sagas.Booking{}
	for rows.Next() {
		b, _, err := scanBooking(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}
