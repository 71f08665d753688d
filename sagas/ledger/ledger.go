// Package ledger owns the durable step ledger: which MIS appointment
// answers which saga step, for region kinds whose MIS has no idempotency
// keys (regions/soap). Each entry, keyed by (region, step key), is written
// as an intent (slot, the MIS's session token) before the MIS is called
// and completed with the MIS's appointment id after it, so a step repeated
// after a lost answer can be resolved by read-back instead of a second
// booking. It keeps no personal identifier.
//
// The table mis_ledger is this package's alone, with its own migrations;
// SQLite and PostgreSQL both. Store implements regions/soap's Ledger port
// structurally (sagas never import regions).
package ledger

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Entry states, as stored.
const (
	StateIntent = "intent"
	StateDone   = "done"
)

// Migrate brings the ledger table in db to the newest schema.
func Migrate(ctx context.Context, db *sqldb.DB, logger *slog.Logger) error {
	return db.Migrate(ctx, "ledger", migrations, "ledger_schema_version", logger)
}

// Store is the ledger over one database. It is safe for concurrent use,
// also from several broker instances sharing the database.
type Store struct {
	db  *sqldb.DB
	now func() time.Time
}

// New returns the ledger over db, migrating its table unless
// skipMigrations. now is the clock; nil means time.Now.
func New(ctx context.Context, db *sqldb.DB, skipMigrations bool, now func() time.Time, logger *slog.Logger) (*Store, error) {
	if !skipMigrations {
		if err := Migrate(ctx, db, logger); err != nil {
			return nil, err
		}
	}
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}, nil
}

// Begin records the intent of step key in region: the slot and the MIS's
// session token, before the MIS is called. created is false when an entry
// already existed; it is left unchanged (the first intent wins).
func (s *Store) Begin(ctx context.Context, region, key, slotID, sessionRef string) (created bool, err error) {
	if region == "" || key == "" || slotID == "" || sessionRef == "" {
		return false, fmt.Errorf("ledger: begin: region, key, slot and session are required: %w", contracts.ErrInvalid)
	}
	now := sqldb.Nanos(s.now())
	res, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO mis_ledger
		(region, step_key, slot_id, session_ref, state, created_at, updated_at) VALUES (?, ?, ?, ?, 'intent', ?, ?)
		ON CONFLICT (region, step_key) DO NOTHING`), region, key, slotID, sessionRef, now, now)
	if err != nil {
		return false, sqldb.Classify(fmt.Errorf("ledger: begin: %w", err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Done records appointmentID as the MIS's answer to step key. Recording the
// same id again changes nothing; another id for a done step wraps
// contracts.ErrConflict; an unknown step wraps contracts.ErrNotFound.
func (s *Store) Done(ctx context.Context, region, key, appointmentID string) error {
	if appointmentID == "" {
		return fmt.Errorf("ledger: done: appointment id required: %w", contracts.ErrInvalid)
	}
	res, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`UPDATE mis_ledger SET appointment_id = ?, state = 'done', updated_at = ?
		WHERE region = ? AND step_key = ? AND (state = 'intent' OR appointment_id = ?)`),
		appointmentID, sqldb.Nanos(s.now()), region, key, appointmentID)
	if err != nil {
		return sqldb.Classify(fmt.Errorf("ledger: done: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	_, _, recorded, err := s.Get(ctx, region, key)
	if err != nil {
		return err
	}
	return fmt.Errorf("ledger: step %s of region %s already answered by %s: %w", key, region, recorded, contracts.ErrConflict)
}

// Get returns the entry of step key; appointmentID is "" while only the
// intent is recorded. An unknown step wraps contracts.ErrNotFound.
func (s *Store) Get(ctx context.Context, region, key string) (slotID, sessionRef, appointmentID string, err error) {
	// The writer pool: a Get must see the Begin or Done just made.
	err = s.db.W.QueryRowContext(ctx, s.db.Dialect.Bind(`SELECT slot_id, session_ref, appointment_id FROM mis_ledger
		WHERE region = ? AND step_key = ?`), region, key).Scan(&slotID, &sessionRef, &appointmentID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", fmt.Errorf("ledger: step %s of region %s: %w", key, region, contracts.ErrNotFound)
	}
	if err != nil {
		return "", "", "", sqldb.Classify(fmt.Errorf("ledger: get: %w", err))
	}
	return slotID, sessionRef, appointmentID, nil
}
