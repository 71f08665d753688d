package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// IdempotencyRecord is what the store remembers of a citizen's request made
// with an Idempotency-Key. StatusCode 0 means the first request is still in
// flight.
type IdempotencyRecord struct {
	RequestHash string
	StatusCode  int
	Response    []byte
}

// ReserveIdempotencyKey claims (citizen, key) for a request whose body hashes
// to hash. It returns nil when the caller now owns the key and must run the
// request, or the existing record otherwise. A claim left in flight for
// longer than staleAfter (its owner crashed) is taken over.
func (s *DB) ReserveIdempotencyKey(ctx context.Context, citizen, key, hash string, staleAfter time.Duration) (*IdempotencyRecord, error) {
	rec, err := s.reserveIdempotencyKey(ctx, citizen, key, hash, staleAfter)
	if isUniqueViolation(err) {
		// A concurrent first request inserted the key between our read and
		// our insert (PostgreSQL; SQLite serialises writers): read it now.
		rec, err = s.reserveIdempotencyKey(ctx, citizen, key, hash, staleAfter)
	}
	return rec, err
}

func (s *DB) reserveIdempotencyKey(ctx context.Context, citizen, key, hash string, staleAfter time.Duration) (*IdempotencyRecord, error) {
	var existing *IdempotencyRecord
	now := s.now()
	err := s.inTx(ctx, func(tx txn) error {
		var (
			rec     IdempotencyRecord
			updated int64
		)
		err := tx.QueryRowContext(ctx, s.d.bind(`SELECT request_hash, status_code, response, updated_at
			FROM idempotency_keys WHERE citizen = ? AND idem_key = ?`), citizen, key).
			Scan(&rec.RequestHash, &rec.StatusCode, &rec.Response, &updated)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, s.d.bind(`INSERT INTO idempotency_keys
				(citizen, idem_key, request_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`),
				citizen, key, hash, nanos(now), nanos(now))
			return err
		case err != nil:
			return err
		case rec.StatusCode == 0 && rec.RequestHash == hash && now.Sub(fromNanos(updated)) > staleAfter:
			_, err = tx.ExecContext(ctx, s.d.bind(`UPDATE idempotency_keys SET updated_at = ?
				WHERE citizen = ? AND idem_key = ?`), nanos(now), citizen, key)
			return err
		}
		existing = &rec
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: reserve idempotency key: %w", err)
	}
	return existing, nil
}

// CompleteIdempotencyKey stores the answer given to the request that owns
// (citizen, key), so repeats get it again.
func (s *DB) CompleteIdempotencyKey(ctx context.Context, citizen, key string, status int, response []byte) error {
	_, err := s.w.ExecContext(ctx, s.d.bind(`UPDATE idempotency_keys SET status_code = ?, response = ?, updated_at = ?
		WHERE citizen = ? AND idem_key = ?`), status, response, nanos(s.now()), citizen, key)
	if err != nil {
		return fmt.Errorf("store: complete idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets an in-flight claim whose request failed
// without an answer worth repeating (a server error), so a retry can run.
func (s *DB) ReleaseIdempotencyKey(ctx context.Context, citizen, key string) error {
	_, err := s.w.ExecContext(ctx, s.d.bind(`DELETE FROM idempotency_keys
		WHERE citizen = ? AND idem_key = ? AND status_code = 0`), citizen, key)
	if err != nil {
		return fmt.Errorf("store: release idempotency key: %w", err)
	}
	return nil
}
