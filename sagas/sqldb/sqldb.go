// Package sqldb is the SQL plumbing every store of the broker shares: one
// database handle per process (for SQLite, one writing connection, so the
// stores never contend inside SQLite's busy handler), the differences
// between the two dialects, a statement cache, transactions, and schema
// migrations per owning package.
//
// It owns no table. Each store (sagas/store for bookings and the outbox,
// broker/idempotency, broker/regionstatus) embeds its own migrations and
// runs them with Migrate under its own name, so each package owns its
// tables and their history.
//
// SQLite (pure Go, modernc.org/sqlite) is the embedded default for one
// process; PostgreSQL (pgx through database/sql) serves several instances.
// Queries are written once with "?" placeholders and Unix-nanosecond times.
package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Config selects and tunes the database. Exactly one of Path and
// PostgresURL is set.
type Config struct {
	// Path of the SQLite file; ":memory:" is not allowed (the pool would see
	// several databases). Use a file in a temporary directory for tests.
	Path string
	// PostgresURL is a PostgreSQL connection string for pgx, e.g.
	// postgres://user:pass@host:5432/db?sslmode=verify-full; parameters
	// such as search_path pass through to the server.
	PostgresURL string
	// MaxConns bounds the connection pool; 0 means 4 readers for SQLite
	// (one writer at a time anyway) and 16 connections for PostgreSQL.
	MaxConns int
}

func (c *Config) setDefaults() {
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

// DB is one database shared by the stores of a process. It is safe for
// concurrent use.
type DB struct {
	// W runs writes (and reads that must see them) through the writer pool;
	// R runs reads outside transactions (the same pool on PostgreSQL, a
	// read-only pool beside the writer with SQLite's WAL).
	W, R Pool
	// Dialect is the database's dialect.
	Dialect *Dialect

	db, rdb *sql.DB
	wc, rc  *stmtCache
	// group batches SQLite's transactions (groupcommit.go); nil on
	// PostgreSQL.
	group *groupCommit
	probeState
}

// Open opens the pools of cfg's dialect. Nothing is migrated: each store
// migrates its own tables (see Migrate).
func Open(cfg Config) (*DB, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := SQLite
	if cfg.PostgresURL != "" {
		d = Postgres
	}
	db, err := openPool(cfg)
	if err != nil {
		return nil, err
	}
	rdb, err := openReaders(cfg, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	wc, rc := &stmtCache{db: db}, &stmtCache{db: rdb}
	if rdb == db {
		rc = wc
	}
	out := &DB{W: Pool{c: wc}, R: Pool{c: rc}, Dialect: d, db: db, rdb: rdb, wc: wc, rc: rc}
	if d == SQLite {
		out.group = newGroupCommit(db, wc)
		out.W.group = out.group
	}
	return out, nil
}

// Close closes the statements and the pools.
func (d *DB) Close() error {
	if d.group != nil {
		d.group.close()
	}
	d.wc.close()
	d.rc.close()
	if d.rdb != d.db {
		d.rdb.Close()
	}
	return d.db.Close()
}

// Ping checks that the database answers; readiness probes use it.
func (d *DB) Ping(ctx context.Context) error { return d.db.PingContext(ctx) }

// Conn takes a dedicated connection of the writer pool, for session state
// such as PostgreSQL advisory locks and LISTEN.
func (d *DB) Conn(ctx context.Context) (*sql.Conn, error) { return d.db.Conn(ctx) }

// InTx runs fn in a transaction and commits when fn returns nil; on an
// error nothing fn wrote is kept and the error is returned as it is. On
// SQLite the transactions of concurrent callers are committed together
// (groupcommit.go), each still all or nothing; fn must therefore not
// assume that nothing else was written in its transaction before it.
func (d *DB) InTx(ctx context.Context, fn func(Tx) error) error {
	if d.group != nil {
		return d.group.inTx(ctx, fn)
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return Classify(fmt.Errorf("store: begin: %w", err))
	}
	if err := fn(Tx{tx: tx, c: d.wc}); err != nil {
		_ = tx.Rollback()
		return Classify(err)
	}
	if err := tx.Commit(); err != nil {
		return Classify(fmt.Errorf("store: commit: %w", err))
	}
	return nil
}

// Nanos is how every store keeps a time: Unix nanoseconds, 0 for the zero
// time, so the same queries compare times in both dialects.
func Nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromNanos reverses Nanos, in UTC.
func FromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// openPool opens the writer pool without touching the database yet.
func openPool(cfg Config) (*sql.DB, error) {
	if cfg.PostgresURL != "" {
		db, err := sql.Open("pgx", cfg.PostgresURL)
		if err != nil {
			// Never echo the URL: it carries the password.
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.SetMaxOpenConns(cfg.MaxConns)
		db.SetMaxIdleConns(cfg.MaxConns)
		return db, nil
	}
	// One connection writes. SQLite allows one writer at a time anyway, and
	// when writers contend inside SQLite its busy handler sleeps (1, 2, 5,
	// ... 100 ms), which under load costs far more than queueing for the
	// connection in Go. Immediate transactions take the write lock up front,
	// so a reader in another process never makes a lock upgrade fail.
	db, err := openSQLite(cfg.Path, "&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// openReaders opens the pool that reads run on. With WAL, SQLite readers
// run beside the writer; on PostgreSQL reads share the one pool.
func openReaders(cfg Config, writer *sql.DB) (*sql.DB, error) {
	if cfg.PostgresURL != "" {
		return writer, nil
	}
	db, err := openSQLite(cfg.Path, "&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(cfg.MaxConns)
	db.SetMaxIdleConns(cfg.MaxConns)
	return db, nil
}

func openSQLite(path, extra string) (*sql.DB, error) {
	// temp_store(MEMORY) keeps the savepoints' sub-journals (groupcommit.go)
	// and sorts in memory instead of temporary files: they only ever serve a
	// rollback within a live transaction, never crash recovery (the WAL
	// does that), so durability is unchanged; the temporary files cost an
	// open, writes and a close per batch.
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)" + extra
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return db, nil
}
