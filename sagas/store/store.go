// Package store is the SQL implementation of the broker's durable state:
// bookings (saga state and history), their timelines, the transactional
// outbox and the citizens' idempotency keys. One schema, migrated by goose
// from the files embedded next to this code.
//
// SQLite (pure Go, modernc.org/sqlite) is the embedded default; the queries
// are written once with "?" placeholders and Unix-nanosecond times so that a
// PostgreSQL dialect can reuse them.
package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations
var migrations embed.FS

// Config selects and tunes the database.
type Config struct {
	// Path of the SQLite file; ":memory:" is not allowed (the pool would see
	// several databases). Use a file in a temporary directory for tests.
	Path string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (c *Config) setDefaults() {
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports what is wrong with c.
func (c Config) Validate() error {
	if c.Path == "" || c.Path == ":memory:" {
		return fmt.Errorf("store: a database file path is required")
	}
	return nil
}

// DB is the broker's SQL store. It is safe for concurrent use.
type DB struct {
	db     *sql.DB
	now    func() time.Time
	logger *slog.Logger

	watch watchers
	// outboxSignal wakes the relay after a commit that wrote messages.
	outboxSignal chan struct{}
}

// Open opens (creating if needed) and migrates the database.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*DB, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// WAL lets readers run beside the writer; immediate transactions take
	// the write lock up front so two writers queue on busy_timeout instead
	// of failing on a lock upgrade.
	dsn := "file:" + cfg.Path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", cfg.Path, err)
	}
	db.SetMaxOpenConns(4)
	s := &DB{db: db, now: cfg.Now, logger: logger, outboxSignal: make(chan struct{}, 1)}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/sqlite")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.db, sub)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range results {
		s.logger.Info("store migrated", "version", r.Source.Version, "took", r.Duration)
	}
	return nil
}

// Close closes the database.
func (s *DB) Close() error { return s.db.Close() }

// Ping checks that the database answers; readiness probes use it.
func (s *DB) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

func (s *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
