package audit

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"time"

	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/google/uuid"
)

//go:embed migrations
var migrations embed.FS

// Migrate brings the audit tables in db to the newest schema.
func Migrate(ctx context.Context, db *sqldb.DB, logger *slog.Logger) error {
	return db.Migrate(ctx, "audit", migrations, "audit_schema_version", logger)
}

// Options tune a Store.
type Options struct {
	// SkipMigrations: the schema is migrated by a separate step ("federation
	// migrate"), as for the other stores.
	SkipMigrations bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Lease is how long one publishing instance holds the copies it
	// fetched before another may publish them; default 30s.
	Lease  time.Duration
	Logger *slog.Logger
}

// Store keeps the audit trail. It is safe for concurrent use, also from
// several broker instances sharing one database. It can append and read
// records, never change or remove one.
type Store struct {
	db     *sqldb.DB
	now    func() time.Time
	lease  time.Duration
	signal chan struct{}
	// claim is the query that leases outbox rows, per dialect.
	claim string
}

// New returns the store over db, migrating its tables unless
// opts.SkipMigrations.
func New(ctx context.Context, db *sqldb.DB, opts Options) (*Store, error) {
	if !opts.SkipMigrations {
		if err := Migrate(ctx, db, opts.Logger); err != nil {
			return nil, err
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	s := &Store{db: db, now: opts.Now, lease: opts.Lease, signal: make(chan struct{}, 1), claim: claimSQLite}
	if db.Dialect == sqldb.Postgres {
		s.claim = claimPostgres
	}
	return s, nil
}

// recordColumns are the columns of audit_records after seq, in the order
// Append writes and scanRecord reads them.
const recordColumns = `id, at, actor_kind, actor, action, booking_id, target, status, outcome, detail, reason, correlation_id, client`

// Append validates rec, gives it its id and time (when zero), and stores
// it with its row in the audit outbox, in one transaction. It returns the
// record as stored. An invalid record is refused with an error wrapping
// contracts.ErrInvalid and nothing is written.
func (s *Store) Append(ctx context.Context, rec Record) (Record, error) {
	if rec.ID == "" {
		rec.ID = uuid.NewString()
	}
	if rec.At.IsZero() {
		rec.At = s.now()
	}
	rec.At = rec.At.UTC()
	if err := rec.Validate(); err != nil {
		return Record{}, err
	}
	err := s.db.InTx(ctx, func(tx sqldb.Tx) error {
		err := tx.QueryRowContext(ctx, s.db.Dialect.Bind(`INSERT INTO audit_records (`+recordColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`),
			rec.ID, sqldb.Nanos(rec.At), string(rec.ActorKind), rec.Actor, string(rec.Action), rec.BookingID, rec.Target,
			rec.Status, string(rec.Outcome), rec.Detail, rec.Reason, rec.CorrelationID, rec.Client).Scan(&rec.Seq)
		if err != nil {
			return fmt.Errorf("audit: append: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO audit_outbox (record_seq) VALUES (?)`), rec.Seq); err != nil {
			return fmt.Errorf("audit: queue copy: %w", err)
		}
		return nil
	})
	if err != nil {
		return Record{}, err
	}
	select {
	case s.signal <- struct{}{}:
	default: // a wake-up is already pending
	}
	return rec, nil
}

// Check reports whether the trail's table is there to be written, so an
// operator command can refuse to act before it would go unrecorded.
func (s *Store) Check(ctx context.Context) error {
	var n int
	err := s.db.W.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_records WHERE seq < 0`).Scan(&n)
	if err != nil {
		return fmt.Errorf("audit: the audit trail cannot be reached (has \"federation migrate\" run?): %w", err)
	}
	// A trail that can be read but not written (a full disk, a read-only
	// database) would let an action through whose record then fails.
	if err := s.db.WriteProbe(ctx); err != nil {
		return fmt.Errorf("audit: the audit trail cannot be written: %w", err)
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

func scanRecord(row scanner) (Record, error) {
	var (
		r                     Record
		at                    int64
		kind, action, outcome string
	)
	err := row.Scan(&r.Seq, &r.ID, &at, &kind, &r.Actor, &action, &r.BookingID, &r.Target, &r.Status, &outcome,
		&r.Detail, &r.Reason, &r.CorrelationID, &r.Client)
	r.At, r.ActorKind, r.Action, r.Outcome = sqldb.FromNanos(at), ActorKind(kind), Action(action), Outcome(outcome)
	return r, err
}
