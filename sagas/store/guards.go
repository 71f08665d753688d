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
func (s *DB) CreateGuarded(ctx context.Context, b *sagas.Booking, guard func(sagas.CitizenLoad) error) error {
	if guard == nil {
		return fmt.Errorf("store: CreateGuarded needs a guard")
	}
	return s.create(ctx, b, guard)
}

// guard takes the citizen's lock, reads the citizen's load for b's slot
// (b left out: a request run again, whose insert finds it) and calls fn
// with it, inside tx.
func (s *DB) guard(ctx context.Context, tx txn, b *sagas.Booking, fn func(sagas.CitizenLoad) error) error {
	if _, err := tx.ExecContext(ctx, s.d.Bind(`INSERT INTO citizen_guards (citizen, touched_at) VALUES (?, ?)
		ON CONFLICT (citizen) DO UPDATE SET touched_at = excluded.touched_at`), b.Citizen, nanos(b.CreatedAt)); err != nil {
		return fmt.Errorf("store: lock the citizen: %w", err)
	}
	load, err := s.load(ctx, tx, b.Citizen, b.Slot, b.CreatedAt, b.ID)
	if err != nil {
		return err
	}
	return fn(load)
}

// Load implements sagas.Store.
func (s *DB) Load(ctx context.Context, citizen string, slot sagas.SlotSnapshot, now time.Time, except string) (sagas.CitizenLoad, error) {
	return s.load(ctx, s.r, citizen, slot, now, except)
}

// liveCondition selects a citizen's live bookings (Live) over
// bookings_live_by_citizen: pending and cancelling whatever their slot's
// time, confirmed whose slot ends after now (the second parameter).
const liveCondition = `citizen = ? AND status IN ('pending', 'confirmed', 'cancelling', 'rescheduling')
		AND (status <> 'confirmed' OR slot_end > ?)`

// load counts the citizen's active bookings and reads those near slot.
// A slot without an end shares no instant with another (the guards'
// overlaps), nor does a booking whose slot has none.
func (s *DB) load(ctx context.Context, q querier, citizen string, slot sagas.SlotSnapshot, now time.Time, except string) (sagas.CitizenLoad, error) {
	var load sagas.CitizenLoad
	if err := q.QueryRowContext(ctx, s.d.Bind(`SELECT COUNT(*) FROM bookings WHERE `+liveCondition+`
		AND id <> ? AND (status <> 'confirmed' OR slot_start > ?)`), citizen, nanos(now), except, nanos(now)).Scan(&load.Active); err != nil {
		return load, fmt.Errorf("store: count active bookings: %w", err)
	}
	start, end := nanos(slot.Start), nanos(slot.End) // a zero start is 0: before every slot, as overlaps has it
	if slot.End.IsZero() {
		start, end = 0, 0 // no instant: only the bookings being moved are near
	}
	near, err := s.liveRows(ctx, q, `AND id <> ? AND ((slot_start < ? AND slot_end > ?) OR move_state <> '')`,
		citizen, nanos(now), except, end, start)
	if err != nil {
		return load, err
	}
	load.Near = near
	return load, nil
}

// Live implements sagas.Store.
func (s *DB) Live(ctx context.Context, citizen string, now time.Time) ([]*sagas.Booking, error) {
	return s.live(ctx, s.r, citizen, now)
}

// live reads the citizen's live bookings.
func (s *DB) live(ctx context.Context, q querier, citizen string, now time.Time) ([]*sagas.Booking, error) {
	return s.liveRows(ctx, q, "", citizen, nanos(now))
}

// liveRows reads the citizen's live bookings that also meet more (an "AND
// ..." condition whose parameters follow citizen and now in args), soonest
// slot first.
func (s *DB) liveRows(ctx context.Context, q querier, more string, args ...any) ([]*sagas.Booking, error) {
	rows, err := q.QueryContext(ctx, s.d.Bind(`SELECT `+bookingColumns+` FROM bookings
		WHERE `+liveCondition+` `+more+`
		ORDER BY slot_start, id`), args...)
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
