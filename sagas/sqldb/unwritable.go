package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/fedhealth/federation/contracts"
)

// Classify marks an error that says the database cannot be written now as
// contracts.ErrStoreUnavailable (keeping the cause for the log), and returns
// any other error as it is. Callers then answer 503 rather than 500, and a
// request that wrote nothing may simply be repeated.
func Classify(err error) error {
	if err == nil || errors.Is(err, contracts.ErrStoreUnavailable) || !unwritable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", contracts.ErrStoreUnavailable, err)
}

// unwritable reports a database that refuses writes for reasons of its
// own, not of the statement: full, read-only, failing I/O, gone.
func unwritable(err error) bool {
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		switch lite.Code() & 0xff { // the primary result code of an extended one
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOTADB:
			return true
		}
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "53100", // disk_full
			pg.Code == "25006",                                         // read_only_sql_transaction (a standby, or read-only)
			pg.Code == "58030",                                         // io_error
			strings.HasPrefix(pg.Code, "08"),                           // connection exceptions
			pg.Code == "57P01", pg.Code == "57P02", pg.Code == "57P03": // shutting down, starting up
			return true
		}
		return false
	}
	var conn *pgconn.ConnectError
	if errors.As(err, &conn) {
		return true
	}
	// A connection lost mid-statement (a failover, a restart): the write
	// did not happen, or its transaction was rolled back. The caller's own
	// cancellation is not the store's fault.
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var netErr net.Error
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, driver.ErrBadConn) || errors.As(err, &netErr)
}

// probeTable is the one-row table WriteProbe writes, in every schema.
const probeTable = `CREATE TABLE IF NOT EXISTS write_probe (id INTEGER PRIMARY KEY, probed_at BIGINT NOT NULL)`

// WriteProbe writes one row, to tell readiness whether the database takes
// writes now: a database that answers reads but not writes (full disk,
// read-only) must take the instance out of the load balancer, as every
// booking on it would fail. The table is created on first use.
func (d *DB) WriteProbe(ctx context.Context) error {
	if !d.probeReady.Load() {
		if _, err := d.db.ExecContext(ctx, probeTable); err != nil {
			return Classify(fmt.Errorf("store: write probe: %w", err))
		}
		d.probeReady.Store(true)
	}
	_, err := d.db.ExecContext(ctx, d.Dialect.Bind(`INSERT INTO write_probe (id, probed_at) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`), Nanos(time.Now()))
	if err != nil {
		return Classify(fmt.Errorf("store: write probe: %w", err))
	}
	return nil
}

// probeState is embedded in DB.
type probeState struct{ probeReady atomic.Bool }
