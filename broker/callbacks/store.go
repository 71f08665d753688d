package callbacks

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/fedhealth/federation/sagas/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate applies the package's migrations (the replay store's tables).
func Migrate(ctx context.Context, db *sqldb.DB, logger *slog.Logger) error {
	return db.Migrate(ctx, "callbacks", migrations, "callbacks_schema_version", logger)
}

// Answer is what the broker answered a verified callback: replayed byte
// for byte to a repeat of its webhook-id.
type Answer struct {
	Status      int
	ContentType string
	Body        []byte
}

// Store is the durable replay store: the answers by region and webhook-id,
// on SQLite or PostgreSQL. It is safe
// for concurrent use, from several instances too.
type Store struct {
	db  *sqldb.DB
	now func() time.Time
}

// NewStore opens the store on db, migrating it unless skipMigrations; now
// nil means time.Now.
func NewStore(ctx context.Context, db *sqldb.DB, skipMigrations bool, now func() time.Time, logger *slog.Logger) (*Store, error) {
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

// Answered returns the answer recorded for the delivery, or nil when none is.
func (s *Store) Answered(ctx context.Context, region, webhookID string) (*Answer, error) {
	return s.answered(ctx, s.db.R, region, webhookID)
}

func (s *Store) answered(ctx context.Context, pool sqldb.Pool, region, webhookID string) (*Answer, error) {
	var a Answer
	err := pool.QueryRowContext(ctx, s.db.Dialect.Bind(`SELECT status_code, content_type, response
		FROM callback_deliveries WHERE region = ? AND webhook_id = ?`), region, webhookID).
		Scan(&a.Status, &a.ContentType, &a.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, sqldb.Classify(fmt.Errorf("callbacks: read delivery: %w", err))
	}
	return &a, nil
}

// Record keeps the answer to a delivery and returns the one to give: a
// concurrent first delivery that recorded before this one wins, so every
// repeat sees one answer.
func (s *Store) Record(ctx context.Context, region, webhookID string, a Answer) (Answer, error) {
	res, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO callback_deliveries
		(region, webhook_id, status_code, content_type, response, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (region, webhook_id) DO NOTHING`), region, webhookID, a.Status, a.ContentType, a.Body, sqldb.Nanos(s.now()))
	if err != nil {
		return a, sqldb.Classify(fmt.Errorf("callbacks: record delivery: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return a, nil
	}
	first, err := s.answered(ctx, s.db.W, region, webhookID) // the writer: it sees the row that won
	if err != nil || first == nil {
		return a, err
	}
	return *first, nil
}

// Purge removes the answers recorded before before (the TTL sweep) and
// returns how many. A delivery repeated after its answer was swept is
// processed again; its event id is the same, so the history still
// applies it once.
func (s *Store) Purge(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`DELETE FROM callback_deliveries WHERE created_at < ?`), sqldb.Nanos(before))
	if err != nil {
		return 0, sqldb.Classify(fmt.Errorf("callbacks: purge: %w", err))
	}
	n, _ := res.RowsAffected()
	return n, nil
}
