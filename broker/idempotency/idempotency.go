// Package idempotency owns what the front end remembers of citizens'
// state-changing requests made with an Idempotency-Key: a record per
// (citizen, key) holding the request's fingerprint and the answer given, in
// its own table with its own migrations. The API's middleware claims a key
// before running a request, saves the answer after it, and frees the key
// when the request failed on the server's side, so a retry runs again.
//
// Records expire (Purge): a key is a promise about retries, which come
// within hours, not a history.
package idempotency

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"math/bits"
	"strings"
	"time"

	"github.com/fedhealth/federation/sagas/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate brings the idempotency table in db to the newest schema.
func Migrate(ctx context.Context, db *sqldb.DB, logger *slog.Logger) error {
	return db.Migrate(ctx, "idempotency", migrations, "idempotency_schema_version", logger)
}

// Record is what is remembered of a request. StatusCode 0 means the first
// request is still in flight.
type Record struct {
	RequestHash string
	StatusCode  int
	Response    []byte
}

// Store keeps the records. It is safe for concurrent use, also from several
// broker instances sharing one database.
type Store struct {
	db  *sqldb.DB
	now func() time.Time
}

// New returns the store over db, migrating its table unless
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

// Reserve claims (owner, key) for a request whose fingerprint is hash. It
// returns nil when the caller now owns the key and must run the request,
// or the existing record otherwise. A claim left in flight for longer than
// staleAfter (its owner crashed) is taken over.
func (s *Store) Reserve(ctx context.Context, owner, key, hash string, staleAfter time.Duration) (*Record, error) {
	// One statement claims a new key; only a key seen before costs a read.
	now := sqldb.Nanos(s.now())
	res, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO idempotency_records
		(owner, idem_key, request_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (owner, idem_key) DO NOTHING`), owner, key, hash, now, now)
	if err != nil {
		return nil, sqldb.Classify(fmt.Errorf("idempotency: reserve: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil, nil
	}
	var (
		rec     Record
		updated int64
	)
	err = s.db.W.QueryRowContext(ctx, s.db.Dialect.Bind(`SELECT request_hash, status_code, response, updated_at
		FROM idempotency_records WHERE owner = ? AND idem_key = ?`), owner, key).
		Scan(&rec.RequestHash, &rec.StatusCode, &rec.Response, &updated)
	if err != nil {
		return nil, fmt.Errorf("idempotency: read: %w", err)
	}
	if rec.StatusCode == 0 && rec.RequestHash == hash && s.now().Sub(sqldb.FromNanos(updated)) > staleAfter {
		// The owner crashed: take the claim over, unless another retry just did.
		res, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`UPDATE idempotency_records SET updated_at = ?
			WHERE owner = ? AND idem_key = ? AND status_code = 0 AND updated_at = ?`), now, owner, key, updated)
		if err != nil {
			return nil, sqldb.Classify(fmt.Errorf("idempotency: take over: %w", err))
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil, nil
		}
	}
	return &rec, nil
}

// Complete stores the answer given to the request that owns (owner, key),
// so repeats get it again.
func (s *Store) Complete(ctx context.Context, owner, key string, status int, response []byte) error {
	_, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`UPDATE idempotency_records SET status_code = ?, response = ?, updated_at = ?
		WHERE owner = ? AND idem_key = ?`), status, response, sqldb.Nanos(s.now()), owner, key)
	if err != nil {
		return sqldb.Classify(fmt.Errorf("idempotency: complete: %w", err))
	}
	return nil
}

// Release forgets an in-flight claim whose request failed without an
// answer worth repeating (a server error), so a retry can run at once. Only
// a claim made no later than claimedBy is released: a retry that took the
// claim over since (after staleAfter) keeps it.
func (s *Store) Release(ctx context.Context, owner, key string, claimedBy time.Time) error {
	_, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`DELETE FROM idempotency_records
		WHERE owner = ? AND idem_key = ? AND status_code = 0 AND updated_at <= ?`), owner, key, sqldb.Nanos(claimedBy))
	if err != nil {
		return sqldb.Classify(fmt.Errorf("idempotency: release: %w", err))
	}
	return nil
}

// PurgeBatch is how many records one statement of Purge deletes at most:
// each batch is its own short transaction, so a sweep of a day's records
// never holds the write lock for long (on SQLite, the one writer every
// booking waits for).
const PurgeBatch = 1000

// Purge deletes the records created before before, PurgeBatch at a time,
// and returns how many it deleted. A key used again after its record is
// gone runs as a new request.
func (s *Store) Purge(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		n, err := s.PurgeSome(ctx, before, PurgeBatch)
		total += n
		if err != nil || n < PurgeBatch {
			return total, err
		}
		// Let the writes queued behind this batch in before the next.
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// PurgeSome deletes at most limit of the oldest records created before
// before, in one statement over the index by age, and returns how many.
func (s *Store) PurgeSome(ctx context.Context, before time.Time, limit int) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`DELETE FROM idempotency_records WHERE (owner, idem_key) IN
		(SELECT owner, idem_key FROM idempotency_records WHERE created_at < ? ORDER BY created_at LIMIT ?)`),
		sqldb.Nanos(before), limit)
	if err != nil {
		return 0, fmt.Errorf("idempotency: purge: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Imported is a record written by Import: the answer given to an owner's
// request made with a key at CreatedAt.
type Imported struct {
	Owner, Key string
	Record
	CreatedAt time.Time
}

// Import writes answered records in bulk, in one transaction, as
// "federation seed" does for the bookings it seeds. A record already there
// for the same owner and key is kept.
func (s *Store) Import(ctx context.Context, recs []Imported) error {
	const perStatement = 1000 // 7,000 parameters, within both dialects' bounds
	return s.db.InTx(ctx, func(tx sqldb.Tx) error {
		for len(recs) > 0 {
			n := min(len(recs), perStatement)
			if n < perStatement {
				n = 1 << (bits.Len(uint(n)) - 1) // few statement sizes: they are cached
			}
			args := make([]any, 0, 7*n)
			for _, r := range recs[:n] {
				at := sqldb.Nanos(r.CreatedAt)
				args = append(args, r.Owner, r.Key, r.RequestHash, r.StatusCode, r.Response, at, at)
			}
			query := `INSERT INTO idempotency_records (owner, idem_key, request_hash, status_code, response, created_at, updated_at) VALUES ` +
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", n), ", ") + ` ON CONFLICT (owner, idem_key) DO NOTHING`
			if _, err := tx.ExecContext(ctx, s.db.Dialect.Bind(query), args...); err != nil {
				return fmt.Errorf("idempotency: import: %w", err)
			}
			recs = recs[n:]
		}
		return nil
	})
}
