// Package store is the SQL implementation of the broker's durable state:
// bookings (saga state and history), their timelines, the transactional
// outbox and the citizens' idempotency keys. One schema, migrated by goose
// from the files embedded next to this code.
//
// Two dialects share the same code and type: SQLite (pure Go,
// modernc.org/sqlite) is the embedded default for one process; PostgreSQL
// (pgx through database/sql) serves several broker instances. The queries
// are written once with "?" placeholders and Unix-nanosecond times;
// dialect.go holds the few differences.
package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

//go:embed migrations
var migrations embed.FS

// Config selects and tunes the database. Exactly one of Path and
// PostgresURL is set.
type Config struct {
	// Path of the SQLite file; ":memory:" is not allowed (the pool would see
	// several databases). Use a file in a temporary directory for tests.
	Path string
	// PostgresURL is a PostgreSQL connection string for pgx, e.g.
	// postgres://user:pass@host:5432/db?sslmode=disable; parameters such as
	// search_path pass through to the server.
	PostgresURL string
	// MaxConns bounds the connection pool; 0 means 4 for SQLite (one writer
	// at a time anyway) and 16 for PostgreSQL.
	MaxConns int
	// SkipMigrations opens without migrating, for instances that must leave
	// schema changes to a separate step (see Migrate).
	SkipMigrations bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (c *Config) setDefaults() {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxConns == 0 {
		c.MaxConns = 4
		if c.PostgresURL != "" {
			c.MaxConns = 16
		}
	}
}

// Validate reports what is wrong with c.
func (c Config) Validate() error {
	switch {
	case c.Path != "" && c.PostgresURL != "":
		return fmt.Errorf("store: set either a SQLite path or a PostgreSQL URL, not both")
	case c.Path == "" && c.PostgresURL == "":
		return fmt.Errorf("store: a SQLite database file path or a PostgreSQL URL is required")
	case c.Path == ":memory:":
		return fmt.Errorf("store: a SQLite database file path is required, not :memory:")
	case c.MaxConns < 0:
		return fmt.Errorf("store: MaxConns %d is negative", c.MaxConns)
	}
	return nil
}

func (c Config) dialect() *dialect {
	if c.PostgresURL != "" {
		return postgresDialect
	}
	return sqliteDialect
}

// DB is the broker's SQL store. It is safe for concurrent use.
type DB struct {
	db     *sql.DB // transactions and writes
	rdb    *sql.DB // reads outside transactions (the same pool on PostgreSQL)
	wc, rc *stmtCache
	w, r   pool // db and rdb through their statement caches
	d      *dialect
	now    func() time.Time
	logger *slog.Logger

	watch watchers
	// outboxSignal wakes the relay after a commit that wrote messages.
	outboxSignal chan struct{}
	// relay is this instance's claim on publishing the outbox (PostgreSQL).
	relay relayLease
	// stop ends background work at Close.
	stop     context.CancelFunc
	stopOnce sync.Once
}

// Open opens (creating if needed) and, unless cfg.SkipMigrations, migrates
// the database.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*DB, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	db, err := openPool(cfg)
	if err != nil {
		return nil, err
	}
	if !cfg.SkipMigrations {
		if err := migrate(ctx, db, cfg.dialect(), logger); err != nil {
			db.Close()
			return nil, err
		}
	}
	rdb, err := openReaders(cfg, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	bg, stop := context.WithCancel(context.Background())
	wc, rc := &stmtCache{db: db}, &stmtCache{db: rdb}
	if rdb == db {
		rc = wc
	}
	s := &DB{db: db, rdb: rdb, wc: wc, rc: rc, w: pool{wc}, r: pool{rc}, d: cfg.dialect(), now: cfg.Now, logger: logger,
		outboxSignal: make(chan struct{}, 1), stop: stop}
	s.relay.bg = bg
	return s, nil
}

// Close stops background work, gives up the outbox relay lease and closes
// the database.
func (s *DB) Close() error {
	s.stopOnce.Do(s.stop)
	s.relay.release()
	s.wc.close()
	s.rc.close()
	if s.rdb != s.db {
		s.rdb.Close()
	}
	return s.db.Close()
}

// Ping checks that the database answers; readiness probes use it.
func (s *DB) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

func (s *DB) inTx(ctx context.Context, fn func(txn) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(txn{tx: tx, c: s.wc}); err != nil {
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
