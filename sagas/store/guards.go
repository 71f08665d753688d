package store

import (
	"context"
	"fmt"
	"time"

	"github.com/fedhealth/federation/sagas"
)

// CreateGuarded implements sagas.Store.
//
// The check and the insert are atomic per citizen. Before reading, the
// transaction upserts the citizen's row of citizen_guards. On PostgreSQL
// that row is locked until commit, so a second transaction of the same
// citizen (on this instance or another) waits at its upsert until the
// first commits, then reads under READ COMMITTED (each statement sees what
// is committed when it starts) the booking the first one wrote; two
// requests for overlapping slots can therefore never both pass. Another
// citizen's transactions lock other rows and do not wait. SQLite has one
// writer at a time (immediate transactions on one connection, and a file
// lock between processes), so there the transactions are already serial
// and the upsert is merely the same statement.
func (s *DB) CreateGuarded(ctx context.Context, b *sagas.Booking, guard func(live []*sagas.Booking) error) error {
	if guard == nil {
		return fmt.Errorf("store: CreateGuarded needs a guard")
	}
	return s.create(ctx, b, guard)
}

// guard takes the citizen's lock, reads the citizen's live bookings other
// than b and calls fn with them, inside tx.
func (s *DB) guard(ctx context.Context, tx txn, b *sagas.Booking, fn func([]*sagas.Booking) error) error {
	if _, err := tx.ExecContext(ctx, s.d.Bind(`INSERT INTO citizen_guards (citizen, touched_at) VALUES (?, ?)
		ON CONFLICT (citizen) DO UPDATE SET touched_at = excluded.touched_at`), b.Citizen, nanos(b.CreatedAt)); err != nil {
		return fmt.Errorf("store: lock the citizen: %w", err)
	}
	live, err := s.live(ctx, tx, b.Citizen, b.CreatedAt)
	if err != nil {
		return err
	}
	others := live[:0]
	for _, o := range live {
		if o.ID != b.ID { // a request run again: the insert finds it (ErrConflict)
			others = append(others, o)
		}
	}
	return fn(others)
}

// Live implements sagas.Store.
func (s *DB) Live(ctx context.Context, citizen string, now time.Time) ([]*sagas.Booking, error) {
	return s.live(ctx, s.r, citizen, now)
}

// live reads the citizen's live bookings over bookings_live_by_citizen.
func (s *DB) live(ctx context.Context, q querier, citizen string, now time.Time) ([]*sagas.Booking, error) {
	rows, err := q.QueryContext(ctx, s.d.Bind(`SELECT `+bookingColumns+` FROM bookings
		WHERE citizen = ? AND status IN ('pending', 'confirmed', 'cancelling', 'rescheduling')
		AND (status <> 'confirmed' OR slot_end > ?)
		ORDER BY slot_start, id`), citizen, nanos(now))
	if err != nil {
		return nil, fmt.Errorf("store: live bookings: %w", err)
	}
	defer rows.Close()
	out := []*sagas.Booking{}
	for rows.Next() {
		b, _, err := scanBooking(rows)
		if err != nil {
			return nil, err
		}
		b.MarkSaved()
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: live bookings: %w", err)
	}
	return out, nil
}
