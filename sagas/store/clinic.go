package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/sqldb"
)

var _ sagas.ClinicStore = (*DB)(nil)

// recordClinicEvent records the clinic event b's change applies, in the
// change's transaction: a second application of the same id violates the
// key and the whole change is refused with sagas.ErrClinicEventApplied.
func (s *DB) recordClinicEvent(ctx context.Context, tx txn, b *sagas.Booking) error {
	id := b.ClinicEvent()
	if id == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.d.Bind(`INSERT INTO clinic_events_applied (event_id, booking_id, applied_at)
		VALUES (?, ?, ?)`), id, b.ID, nanos(s.now()))
	if sqldb.IsUniqueViolation(err) {
		return fmt.Errorf("store: clinic event %s: %w", id, sagas.ErrClinicEventApplied)
	}
	if err != nil {
		return fmt.Errorf("store: record clinic event: %w", err)
	}
	return nil
}

// ByAppointment implements sagas.ClinicStore.
func (s *DB) ByAppointment(ctx context.Context, region, appointmentID string) (string, error) {
	var id string
	// "appointment_id <> ''" lets the planner use the partial index
	// bookings_by_appointment: with a bound parameter it cannot prove it.
	err := s.r.QueryRowContext(ctx, s.d.Bind(`SELECT id FROM bookings WHERE region = ? AND appointment_id = ?
		AND appointment_id <> '' ORDER BY created_at DESC LIMIT 1`), region, appointmentID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: appointment %s of region %s: %w", appointmentID, region, contracts.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: find appointment: %w", err)
	}
	return id, nil
}

// HoldsPortalPatientKey reports whether a booking made on the portal is
// indexed by any of keys (booking_patient_keys): reconciliation imports an
// appointment made elsewhere only for a patient the portal already knows.
func (s *DB) HoldsPortalPatientKey(ctx context.Context, keys []string) (bool, error) {
	if len(keys) == 0 {
		return false, nil
	}
	args := make([]any, 0, len(keys)+1)
	for _, k := range keys {
		args = append(args, k)
	}
	args = append(args, string(sagas.SourceClinic)) // a row written before sources were kept is the portal's
	var n int
	err := s.r.QueryRowContext(ctx, s.d.Bind(`SELECT COUNT(*) FROM booking_patient_keys k JOIN bookings b ON b.id = k.booking_id
		WHERE k.patient_key IN (`+questionMarks(len(keys))+`) AND b.source <> ?`), args...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: portal patient keys: %w", err)
	}
	return n > 0, nil
}

// ClinicEventApplied implements sagas.ClinicStore.
func (s *DB) ClinicEventApplied(ctx context.Context, eventID string) (bool, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, s.d.Bind(`SELECT COUNT(*) FROM clinic_events_applied WHERE event_id = ?`),
		eventID).Scan(&n); err != nil {
		return false, fmt.Errorf("store: clinic event applied: %w", err)
	}
	return n > 0, nil
}

// ParkUnmatched implements sagas.ClinicStore.
func (s *DB) ParkUnmatched(ctx context.Context, e sagas.UnmatchedClinicEvent) error {
	_, err := s.w.ExecContext(ctx, s.d.Bind(`INSERT INTO clinic_events_unmatched (event_id, region, appointment_id, payload, received_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), e.EventID, e.Region, e.AppointmentID, e.Payload, nanos(s.now()))
	if err != nil {
		return fmt.Errorf("store: park clinic event: %w", err)
	}
	return nil
}

// Unmatched implements sagas.ClinicStore.
func (s *DB) Unmatched(ctx context.Context, matched bool, limit int) ([]sagas.UnmatchedClinicEvent, error) {
	where := ""
	if matched {
		// "<> ''" states bookings_by_appointment's condition: without it
		// each parked event scanned every booking.
		where = ` WHERE EXISTS (SELECT 1 FROM bookings b WHERE b.region = u.region AND b.appointment_id = u.appointment_id
			AND b.appointment_id <> '')`
	}
	rows, err := s.r.QueryContext(ctx, s.d.Bind(`SELECT event_id, region, appointment_id, payload, received_at
		FROM clinic_events_unmatched u`+where+` ORDER BY received_at, event_id LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("store: unmatched clinic events: %w", err)
	}
	defer rows.Close()
	var out []sagas.UnmatchedClinicEvent
	for rows.Next() {
		var (
			e  sagas.UnmatchedClinicEvent
			at int64
		)
		if err := rows.Scan(&e.EventID, &e.Region, &e.AppointmentID, &e.Payload, &at); err != nil {
			return nil, err
		}
		e.ReceivedAt = fromNanos(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// DeleteUnmatched implements sagas.ClinicStore.
func (s *DB) DeleteUnmatched(ctx context.Context, eventID string) error {
	if _, err := s.w.ExecContext(ctx, s.d.Bind(`DELETE FROM clinic_events_unmatched WHERE event_id = ?`), eventID); err != nil {
		return fmt.Errorf("store: delete unmatched clinic event: %w", err)
	}
	return nil
}

// Enqueue implements sagas.ClinicStore.
func (s *DB) Enqueue(ctx context.Context, msgs ...sagas.OutboxMessage) error {
	if err := s.inTx(ctx, func(tx txn) error { return s.enqueue(ctx, tx, msgs) }); err != nil {
		return err
	}
	s.notifyOutbox()
	return nil
}
