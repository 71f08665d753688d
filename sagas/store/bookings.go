package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/sqldb"
)

var _ sagas.Store = (*DB)(nil)

const bookingColumns = `id, citizen, region, slot, status, reason, step, appointment_id,
	hold_expires, patient_sealed, correlation_id, deadline, created_at, updated_at, version, timeline_len, saga_kind,
	reason_code, cancelled_by, source, channel, clinic_at, clinic_seq, move_state`

// Create implements sagas.Store.
func (s *DB) Create(ctx context.Context, b *sagas.Booking) error { return s.create(ctx, b, nil) }

// create inserts b, after guard (when set) has passed the citizen's load
// in the same transaction (guards.go).
func (s *DB) create(ctx context.Context, b *sagas.Booking, guard func(sagas.CitizenLoad) error) error {
	slot, err := json.Marshal(b.Slot)
	if err != nil {
		return fmt.Errorf("store: encode slot: %w", err)
	}
	move, err := encodeMove(b.Move)
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx txn) error {
		if guard != nil {
			if err := s.guard(ctx, tx, b, guard); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, s.d.Bind(`INSERT INTO bookings (`+bookingColumns+`, mis_slot_id, slot_start, slot_end)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			b.ID, b.Citizen, b.Region, string(slot), b.Status, b.Reason, b.Step, b.AppointmentID,
			nanos(b.HoldExpires), b.PatientSealed, b.CorrelationID, nanos(b.Deadline),
			nanos(b.CreatedAt), nanos(b.UpdatedAt), len(b.NewTimeline()), b.Saga,
			b.ReasonCode, b.CancelledBy, sourceOf(b), b.Channel, nanos(b.ClinicAt), b.ClinicSeq, move, arbitratedSlot(b),
			nanos(b.Slot.Start), nanos(b.Slot.End))
		if sqldb.IsUniqueViolation(err) {
			return errDuplicate
		}
		if err != nil {
			return fmt.Errorf("store: insert booking: %w", err)
		}
		if err := s.writePatientKeys(ctx, tx, b); err != nil {
			return err
		}
		return s.writeChanges(ctx, tx, b, 0)
	})
	if errors.Is(err, errDuplicate) {
		return s.whichDuplicate(ctx, b)
	}
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
	slot, err := json.Marshal(b.Slot) // a clinic's move changes the slot's time
	if err != nil {
		return fmt.Errorf("store: encode slot: %w", err)
	}
	move, err := encodeMove(b.Move)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, s.d.Bind(`UPDATE bookings SET status = ?, reason = ?, saga_kind = ?, step = ?,
		appointment_id = ?, hold_expires = ?, patient_sealed = ?, updated_at = ?, version = version + 1,
		timeline_len = timeline_len + ?, slot = ?, slot_start = ?, slot_end = ?, reason_code = ?, cancelled_by = ?,
		clinic_at = ?, clinic_seq = ?, move_state = ?
		WHERE id = ? AND version = ?`),
		b.Status, b.Reason, b.Saga, b.Step, b.AppointmentID, nanos(b.HoldExpires), b.PatientSealed,
		nanos(b.UpdatedAt), len(b.NewTimeline()), string(slot), nanos(b.Slot.Start), nanos(b.Slot.End),
		b.ReasonCode, b.CancelledBy, nanos(b.ClinicAt), b.ClinicSeq, move, b.ID, b.Version)
	if err != nil {
		return fmt.Errorf("store: update booking: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errStale
	}
	b.Version++
	return s.writeChanges(ctx, tx, b, firstNew)
}

// writeChanges appends the booking's new timeline entries and outbox
// messages, and records the clinic event the change applies.
func (s *DB) writeChanges(ctx context.Context, tx txn, b *sagas.Booking, seq int) error {
	for i, e := range b.NewTimeline() {
		if _, err := tx.ExecContext(ctx, s.d.Bind(`INSERT INTO booking_timeline (booking_id, seq, at, status, detail,
			source, code, note, prev_start, prev_end)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), b.ID, seq+i, nanos(e.At), e.Status, e.Detail,
			e.Source, e.Code, e.Note, nanos(e.PrevStart), nanos(e.PrevEnd)); err != nil {
			return fmt.Errorf("store: insert timeline: %w", err)
		}
	}
	if err := s.recordClinicEvent(ctx, tx, b); err != nil {
		return err
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
	if b.Citizen != "" {
		// A citizen's own booking is found and shown by its citizen: its
		// patient keys (written for the history by keys) decide nothing
		// here, and every status read would pay a query for them.
		return b, nil
	}
	if b.PatientKeys, err = s.patientKeys(ctx, q, b.ID); err != nil {
		return nil, err
	}
	return b, nil
}

// State implements sagas.Store.
func (s *DB) State(ctx context.Context, id string) (*sagas.Booking, error) {
	b, _, err := s.row(ctx, s.r, id, "")
	if err != nil {
		return nil, err
	}
	b.MarkSaved()
	return b, nil
}

// patientKeys reads the patient keys of booking id.
func (s *DB) patientKeys(ctx context.Context, q querier, id string) ([]string, error) {
	rows, err := q.QueryContext(ctx, s.d.Bind(`SELECT patient_key FROM booking_patient_keys WHERE booking_id = ? ORDER BY patient_key`), id)
	if err != nil {
		return nil, fmt.Errorf("store: patient keys: %w", err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// ListByCitizen implements sagas.Store: by the citizen column, or by the
// patient keys (index booking_patient_keys) for bookings made elsewhere.
// The two are a union of ids rather than an OR: PostgreSQL cannot serve
// "citizen = ? OR id IN (...)" from the indexes and read every booking
// (27.7 ms for one citizen's page over 50,000 bookings, 1.2 ms as a union).
func (s *DB) ListByCitizen(ctx context.Context, citizen string, patientKeys []string, limit int) ([]*sagas.Booking, error) {
	query := `SELECT ` + bookingColumns + ` FROM bookings WHERE citizen = ?`
	args := []any{citizen}
	if len(patientKeys) > 0 {
		query = `SELECT ` + bookingColumns + ` FROM bookings WHERE id IN (SELECT id FROM bookings WHERE citizen = ?
			UNION SELECT booking_id FROM booking_patient_keys WHERE patient_key IN (` + questionMarks(len(patientKeys)) + `))`
		for _, k := range patientKeys {
			args = append(args, k)
		}
	}
	rows, err := s.r.QueryContext(ctx, s.d.Bind(query+` ORDER BY created_at DESC, id LIMIT ?`), append(args, limit)...)
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

// Stalled implements sagas.Store. Feed bookings are never listed: no saga
// command moves them, so a nudge could only be refused.
func (s *DB) Stalled(ctx context.Context, before time.Time, limit int) ([]string, error) {
	return s.ids(ctx, s.d.Bind(`SELECT id FROM bookings
		WHERE step IN ('release', 'cancel', 'reschedule_hold', 'reschedule_book', 'reschedule_release', 'reschedule_cancel', 'reschedule_shift')
		AND saga_kind <> 'operator' AND updated_at < ? ORDER BY updated_at LIMIT ?`), nanos(before), limit)
}

// encodeMove is the move_state column of a booking: its move in progress
// as JSON, ” when none runs.
func encodeMove(m *sagas.Move) (string, error) {
	if m == nil {
		return "", nil
	}
	body, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("store: encode move: %w", err)
	}
	return string(body), nil
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
		clinicAt                                int64
		timelineLen                             int
		move                                    string
	)
	err := row.Scan(&b.ID, &b.Citizen, &b.Region, &slot, &b.Status, &b.Reason, &b.Step,
		&b.AppointmentID, &holdExpires, &b.PatientSealed, &b.CorrelationID, &deadline,
		&created, &updated, &b.Version, &timelineLen, &b.Saga,
		&b.ReasonCode, &b.CancelledBy, &b.Source, &b.Channel, &clinicAt, &b.ClinicSeq, &move)
	if err != nil {
		return nil, 0, err
	}
	if b.ReasonCode == "" && b.Reason != "" {
		b.ReasonCode, _ = sagas.CodeOf(b.Reason) // a row from before codes were stored
	}
	b.ClinicAt = fromNanos(clinicAt)
	if err := json.Unmarshal([]byte(slot), &b.Slot); err != nil {
		return nil, 0, fmt.Errorf("store: booking %s slot: %w", b.ID, err)
	}
	if move != "" {
		b.Move = &sagas.Move{}
		if err := json.Unmarshal([]byte(move), b.Move); err != nil {
			return nil, 0, fmt.Errorf("store: booking %s move: %w", b.ID, err)
		}
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
	rows, err := q.QueryContext(ctx, `SELECT booking_id, at, status, detail, source, code, note, prev_start, prev_end FROM booking_timeline
		WHERE booking_id IN (`+s.d.List(len(bs))+`) ORDER BY booking_id, seq`, args...)
	if err != nil {
		return fmt.Errorf("store: timeline: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id                     string
			at, prevStart, prevEnd int64
			e                      sagas.TimelineEntry
		)
		if err := rows.Scan(&id, &at, &e.Status, &e.Detail, &e.Source, &e.Code, &e.Note, &prevStart, &prevEnd); err != nil {
			return err
		}
		e.At, e.PrevStart, e.PrevEnd = fromNanos(at), fromNanos(prevStart), fromNanos(prevEnd)
		if e.Code == "" {
			e.Code, e.Note = sagas.CodeOf(e.Detail) // a row from before codes were stored
		}
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

// questionMarks is n "?" placeholders for Bind (sqldb.Dialect.List numbers
// its own from $1, which cannot follow other placeholders).
func questionMarks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// sourceOf is where b was made; a booking built without one is the portal's.
func sourceOf(b *sagas.Booking) sagas.Source {
	if b.Source == "" {
		return sagas.SourcePortal
	}
	return b.Source
}

// writePatientKeys indexes a new booking by its patient keys.
func (s *DB) writePatientKeys(ctx context.Context, tx txn, b *sagas.Booking) error {
	for _, k := range b.PatientKeys {
		if _, err := tx.ExecContext(ctx, s.d.Bind(`INSERT INTO booking_patient_keys (patient_key, booking_id) VALUES (?, ?)
			ON CONFLICT DO NOTHING`), k, b.ID); err != nil {
			return fmt.Errorf("store: insert patient key: %w", err)
		}
	}
	return nil
}
