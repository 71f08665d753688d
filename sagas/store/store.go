// Package store is the SQL implementation of sagas.Store: bookings (saga
// state and history in one row), their timelines, the transactional
// outbox the relay publishes from, and the per-citizen rows that keep the
// citizen guards' check and insert together (guards.go). Its schema is migrated by goose from the
// files embedded next to this code; the database handle itself is shared
// with the broker's other stores through sagas/sqldb.
//
// Two dialects share the same code and type: SQLite (the embedded default
// for one process) and PostgreSQL (several broker instances). The queries
// are written once with "?" placeholders and Unix-nanosecond times;
// sqldb.Dialect holds the few differences.
package store

import (
	"context"
	"embed"
	"log/slog"
	"sync"
	"time"

	"github.com/fedhealth/federation/sagas/sqldb"
)

//go:embed migrations
var migrations embed.FS

// versionTable keeps the applied migrations of this store: goose's default
// name, which databases created before the stores were split already use.
const versionTable = "goose_db_version"

// Config selects the database for Open, which opens one for this store
// alone (tools and tests). Exactly one of Path and PostgresURL is set.
type Config struct {
	// Path of the SQLite file (not ":memory:").
	Path string
	// PostgresURL is a PostgreSQL connection string for pgx.
	PostgresURL string
	// MaxConns bounds the connection pool (see sqldb.Config).
	MaxConns int
	// SkipMigrations opens without migrating, for instances that must leave
	// schema changes to a separate step (see Migrate).
	SkipMigrations bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Options tune a store built over a shared database with New.
type Options struct {
	// SkipMigrations: see Config.
	SkipMigrations bool
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// DB is the bookings and outbox store. It is safe for concurrent use.
type DB struct {
	sql    *sqldb.DB
	ownSQL bool // opened by Open: Close closes it too
	w, r   sqldb.Pool
	d      *sqldb.Dialect
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

// Migrate brings this store's tables in db to the newest schema: the step
// a deployment runs before starting instances with SkipMigrations.
func Migrate(ctx context.Context, db *sqldb.DB, logger *slog.Logger) error {
	return db.Migrate(ctx, "bookings store", migrations, versionTable, logger)
}

// New builds the store over db, migrating its tables unless
// opts.SkipMigrations. Closing the store leaves db open.
func New(ctx context.Context, db *sqldb.DB, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if !opts.SkipMigrations {
		if err := Migrate(ctx, db, opts.Logger); err != nil {
			return nil, err
		}
	}
	bg, stop := context.WithCancel(context.Background())
	s := &DB{sql: db, w: db.W, r: db.R, d: db.Dialect, now: opts.Now, logger: opts.Logger,
		outboxSignal: make(chan struct{}, 1), stop: stop}
	s.relay.bg = bg
	return s, nil
}

// Open opens a database for this store alone and builds the store over it
// (see New); Close then closes the database too.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*DB, error) {
	db, err := sqldb.Open(sqldb.Config{Path: cfg.Path, PostgresURL: cfg.PostgresURL, MaxConns: cfg.MaxConns})
	if err != nil {
		return nil, err
	}
	s, err := New(ctx, db, Options{SkipMigrations: cfg.SkipMigrations, Now: cfg.Now, Logger: logger})
	if err != nil {
		db.Close()
		return nil, err
	}
	s.ownSQL = true
	return s, nil
}

// Close stops background work and gives up the outbox relay lease; a store
// made by Open also closes its database.
func (s *DB) Close() error {
	s.stopOnce.Do(s.stop)
	s.relay.release()
	if s.ownSQL {
		return s.sql.Close()
	}
	return nil
}

// Ping checks that the database answers; readiness probes use it.
func (s *DB) Ping(ctx context.Context) error { return s.sql.Ping(ctx) }

// txn is the transaction every write of this store runs in.
type txn = sqldb.Tx

func (s *DB) inTx(ctx context.Context, fn func(txn) error) error { return s.sql.InTx(ctx, fn) }

func nanos(t time.Time) int64 { return sqldb.Nanos(t) }

func fromNanos(n int64) time.Time { return sqldb.FromNanos(n) }
