package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strings"

	"github.com/fedhealth/federation/sagas"
)

// Import writes finished bookings in bulk, in one transaction: their rows,
// timelines, patient keys and the clinic events they applied, with
// multi-row inserts (a few hundred rows a statement). It is how "federation
// seed" fills a store with history; the sagas never use it.
//
// Nothing reaches the outbox: whatever messages the bookings queued while
// they were built are dropped, so an imported booking is never published
// (the analytics read model, fed by events, does not count it). Only
// bookings whose saga has nothing left to do (step done) are accepted, so
// no saga command is ever owed for one. Each booking's timeline is written
// whole, as when it was made.
// It runs in a plain transaction on a connection of its own, outside
// SQLite's group commit: each transaction there is a savepoint, whose
// journal of every page it touches was a sixth of a seed's CPU. On SQLite
// the one writer is busy for the whole transaction: a broker serving the
// same file waits for it.
func (s *DB) Import(ctx context.Context, bs []*sagas.Booking) error {
	if len(bs) == 0 {
		return nil
	}
	var bookings, timeline, keys, events []any
	for _, b := range bs {
		if b.Step != sagas.StepDone || !b.Status.Final() {
			return fmt.Errorf("store: import booking %s: %s at step %s, only finished bookings are imported", b.ID, b.Status, b.Step)
		}
		slot, err := json.Marshal(b.Slot)
		if err != nil {
			return fmt.Errorf("store: import booking %s: encode slot: %w", b.ID, err)
		}
		bookings = append(bookings, b.ID, b.Citizen, b.Region, string(slot), b.Status, b.Reason, b.Step, b.AppointmentID,
			nanos(b.HoldExpires), b.PatientSealed, b.CorrelationID, nanos(b.Deadline),
			nanos(b.CreatedAt), nanos(b.UpdatedAt), int64(1), len(b.Timeline), b.Saga,
			b.ReasonCode, b.CancelledBy, sourceOf(b), b.Channel, nanos(b.ClinicAt), b.ClinicSeq, "", arbitratedSlot(b),
			nanos(b.Slot.Start), nanos(b.Slot.End))
		for i, e := range b.Timeline {
			timeline = append(timeline, b.ID, i, nanos(e.At), e.Status, e.Detail, e.Source, e.Code, e.Note,
				nanos(e.PrevStart), nanos(e.PrevEnd))
		}
		for _, k := range b.PatientKeys {
			keys = append(keys, k, b.ID)
		}
		if ev := b.ClinicEvent(); ev != "" {
			events = append(events, ev, b.ID, nanos(b.ClinicAt))
		}
	}
	conn, err := s.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: import: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: import: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	prepared := map[string]*sql.Stmt{}
	defer func() {
		for _, st := range prepared {
			st.Close()
		}
	}()
	for _, t := range []struct {
		table string
		cols  string
		args  []any
	}{
		{"bookings", bookingColumns + `, mis_slot_id, slot_start, slot_end`, bookings},
		{"booking_timeline", `booking_id, seq, at, status, detail, source, code, note, prev_start, prev_end`, timeline},
		{"booking_patient_keys", `patient_key, booking_id`, keys},
		{"clinic_events_applied", `event_id, booking_id, applied_at`, events},
	} {
		if err := s.insertRows(ctx, tx, prepared, t.table, t.cols, t.args); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: import: commit: %w", err)
	}
	for _, b := range bs {
		b.MarkSaved() // drops the queued messages: an import publishes nothing
	}
	return nil
}

// importRowsPerStatement bounds a multi-row insert: 500 bookings are
// 13,500 parameters, within SQLite's 32,766 and PostgreSQL's 65,535.
const importRowsPerStatement = 500

// insertRows inserts args, a row of len(strings.Split(cols, ",")) values
// after another, into table, importRowsPerStatement rows a statement and
// the rest in powers of two, each statement prepared once a transaction.
func (s *DB) insertRows(ctx context.Context, tx *sql.Tx, prepared map[string]*sql.Stmt, table, cols string, args []any) error {
	width := strings.Count(cols, ",") + 1
	if len(args)%width != 0 {
		return errors.New("store: import " + table + ": values do not fill whole rows")
	}
	row := "(" + questionMarks(width) + ")"
	for len(args) > 0 {
		n := min(len(args)/width, importRowsPerStatement)
		if n < importRowsPerStatement {
			n = 1 << (bits.Len(uint(n)) - 1)
		}
		query := `INSERT INTO ` + table + ` (` + cols + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		st, ok := prepared[query]
		if !ok {
			var err error
			if st, err = tx.PrepareContext(ctx, s.d.Bind(query)); err != nil {
				return fmt.Errorf("store: import %s: %w", table, err)
			}
			prepared[query] = st
		}
		if _, err := st.ExecContext(ctx, args[:n*width]...); err != nil {
			return fmt.Errorf("store: import %s: %w", table, err)
		}
		args = args[n*width:]
	}
	return nil
}
