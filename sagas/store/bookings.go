package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/sqldb"
)

var _ sagas.Store = (*DB)(nil)

const bookingColumns = `id, citizen, region, slot, status, reason, step, appointment_id,
	hold_expires, patient_sealed, correlation_id, deadline, created_at, updated_at, version, timeline_len, saga_kind`

// Create implements sagas.Store.
func (s *DB) Create(ctx context.Context, b *sagas.Booking) error {
	slot, err := json.Marshal(b.Slot)
	if err != nil {
		return fmt.Errorf("store: encode slot: %w", err)
	}
	err = s.inTx(ctx, func(tx txn) error {
		_, err := tx.ExecContext(ctx, s.d.Bind(`INSERT INTO bookings (`+bookingColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`),
			b.ID, b.Citizen, b.Region, string(slot), b.Status, b.Reason, b.Step, b.AppointmentID,
			nanos(b.HoldExpires), b.PatientSealed, b.CorrelationID, nanos(b.Deadline),
			nanos(b.CreatedAt), nanos(b.UpdatedAt), len(b.NewTimeline()), b.Saga)
		if sqldb.IsUniqueViolation(err) {
			return fmt.Errorf("store: booking %s exists: %w", b.ID, contracts.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("store: insert booking: %w", err)
		}
		return s.writeChanges(ctx, tx, b, 0)
	})
	if err != nil {
		return err
	}
	b.Version = 1
	s.saved(b)
	return nil
}

// Update implements sagas.Store.
func (s *DB) Update(ctx context.Context, id string, fn func(*sagas.Booking) error) error {
	for attempt := 0; ; attempt++ {
		var b *sagas.Booking
		err := s.inTx(ctx, func(tx txn) error {
			// The timeline is not read: a step only appends to it, after
			// the timeline_len entries already there.
			var (
				err    error
				before int
			)
			if b, before, err = s.row(ctx, tx, id, s.d.ForUpdate); err != nil {
				return err
			}
			b.MarkSaved()
			if err := fn(b); err != nil {
				return err
			}
			return s.save(ctx, tx, b, before)
		})
		if errors.Is(err, errStale) && attempt < 10 {
			continue
		}
		if err != nil {
			return err
		}
		s.saved(b)
		return nil
	}
}

var errStale = errors.New("store: booking changed concurrently")

func (s *DB) save(ctx context.Context, tx txn, b *sagas.Booking, firstNew int) error {
	res, err := tx.ExecContext(ctx, s.d.Bind(`UPDATE bookings SET status = ?, reason = ?, saga_kind = ?, step = ?,
		appointment_id = ?, hold_expires = ?, patient_sealed = ?, updated_at = ?, version = version + 1,
		timeline_len = timeline_len + ?
		WHERE id = ? AND version = ?`),
		b.Status, b.Reason, b.Saga, b.Step, b.AppointmentID, nanos(b.HoldExpires), b.PatientSealed,
		nanos(b.UpdatedAt), len(b.NewTimeline()), b.ID, b.Version)
	if err != nil {
		return fmt.Errorf("store: update booking: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errStale
	}
	b.Version++
	return s.writeChanges(ctx, tx, b, firstNew)
}

// writeChanges appends the booking's new timeline entries and outbox messages.
func (s *DB) writeChanges(ctx context.Context, tx txn, b *sagas.Booking, seq int) error {
	for i, e := range b.NewTimeline() {
		if _, err := tx.ExecContext(ctx, s.d.Bind(`INSERT INTO booking_timeline (booking_id, seq, at, status, detail)
			VALUES (?, ?, ?, ?, ?)`), b.ID, seq+i, nanos(e.At), e.Status, e.Detail); err != nil {
			return fmt.Errorf("store: insert timeline: %w", err)
		}
	}
	return s.enqueue(ctx, tx, b.PendingOutbox())
}

// saved marks b persisted, wakes its watchers, and wakes the outbox relay
// if b emitted messages.
func (s *DB) saved(b *sagas.Booking) {
	wrote := len(b.PendingOutbox()) > 0
	b.MarkSaved()
	s.watch.notify(b.ID)
	if wrote {
		s.notifyOutbox()
	}
}

// Get implements sagas.Store.
func (s *DB) Get(ctx context.Context, id string) (*sagas.Booking, error) {
	return s.get(ctx, s.r, id, "")
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// get reads booking id; lock is appended to the query (the dialect's
// row lock inside Update, empty otherwise).
func (s *DB) get(ctx context.Context, q querier, id, lock string) (*sagas.Booking, error) {
	b, _, err := s.row(ctx, q, id, lock)
	if err != nil {
		return nil, err
	}
	if err := s.loadTimelines(ctx, q, []*sagas.Booking{b}); err != nil {
		return nil, err
	}
	return b, nil
}

// ListByCitizen implements sagas.Store.
func (s *DB) ListByCitizen(ctx context.Context, citizen string, limit int) ([]*sagas.Booking, error) {
	rows, err := s.r.QueryContext(ctx, s.d.Bind(`SELECT `+bookingColumns+` FROM bookings
		WHERE citizen = ? ORDER BY created_at DESC, id LIMIT ?`), citizen, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list bookings: %w", err)
	}
	defer rows.Close()
	var out []*sagas.Booking
	for rows.Next() {
		b, _, err := scanBooking(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list bookings: %w", err)
	}
	return out, s.loadTimelines(ctx, s.r, out)
}

// Overdue implements sagas.Store.
func (s *DB) Overdue(ctx context.Context, now time.Time, limit int) ([]string, error) {
	return s.ids(ctx, s.d.Bind(`SELECT id FROM bookings
		WHERE status = 'pending' AND deadline < ? ORDER BY deadline LIMIT ?`), nanos(now), limit)
}

// ids runs a query that selects booking ids.
func (s *DB) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list booking ids: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Stalled implements sagas.Store.
func (s *DB) Stalled(ctx context.Context, before time.Time, limit int) ([]string, error) {
	return s.ids(ctx, s.d.Bind(`SELECT id FROM bookings
		WHERE step IN ('release', 'cancel') AND updated_at < ? ORDER BY updated_at LIMIT ?`), nanos(before), limit)
}

type scanner interface{ Scan(dest ...any) error }

// row reads booking id without its timeline, and how many timeline
// entries it has.
func (s *DB) row(ctx context.Context, q querier, id, lock string) (*sagas.Booking, int, error) {
	b, n, err := scanBooking(q.QueryRowContext(ctx, s.d.Bind(`SELECT `+bookingColumns+` FROM bookings WHERE id = ?`+lock), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, fmt.Errorf("store: booking %s: %w", id, contracts.ErrNotFound)
	}
	return b, n, err
}

func scanBooking(row scanner) (*sagas.Booking, int, error) {
	var (
		b                                       sagas.Booking
		slot                                    string
		holdExpires, deadline, created, updated int64
		timelineLen                             int
	)
	err := row.Scan(&b.ID, &b.Citizen, &b.Region, &slot, &b.Status, &b.Reason, &b.Step,
		&b.AppointmentID, &holdExpires, &b.PatientSealed, &b.CorrelationID, &deadline,
		&created, &updated, &b.Version, &timelineLen, &b.Saga)
	if err != nil {
		return nil, 0, err
	}
	if err := json.Unmarshal([]byte(slot), &b.Slot); err != nil {
		return nil, 0, fmt.Errorf("store: booking %s slot: %w", b.ID, err)
	}
	b.HoldExpires, b.Deadline = fromNanos(holdExpires), fromNanos(deadline)
	b.CreatedAt, b.UpdatedAt = fromNanos(created), fromNanos(updated)
	return &b, timelineLen, nil
}

func (s *DB) loadTimelines(ctx context.Context, q querier, bs []*sagas.Booking) error {
	if len(bs) == 0 {
		return nil
	}
	byID := make(map[string]*sagas.Booking, len(bs))
	args := make([]any, len(bs))
	for i, b := range bs {
		byID[b.ID], args[i] = b, b.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT booking_id, at, status, detail FROM booking_timeline
		WHERE booking_id IN (`+s.d.List(len(bs))+`) ORDER BY booking_id, seq`, args...)
	if err != nil {
		return fmt.Errorf("store: timeline: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id string
			at int64
			e  sagas.TimelineEntry
		)
		if err := rows.Scan(&id, &at, &e.Status, &e.Detail); err != nil {
			return err
		}
		e.At = fromNanos(at)
		byID[id].Timeline = append(byID[id].Timeline, e)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, b := range bs {
		b.MarkSaved()
	}
	return nil
}
