package store

import (
	"context"
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
	// One statement claims a new key; only a key seen before costs a read.
	now := s.now()
	res, err := s.w.ExecContext(ctx, s.d.bind(`INSERT INTO idempotency_keys
		(citizen, idem_key, request_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (citizen, idem_key) DO NOTHING`), citizen, key, hash, nanos(now), nanos(now))
	if err != nil {
		return nil, fmt.Errorf("store: reserve idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil, nil
	}
	var (
		rec     IdempotencyRecord
		updated int64
	)
	err = s.w.QueryRowContext(ctx, s.d.bind(`SELECT request_hash, status_code, response, updated_at
		FROM idempotency_keys WHERE citizen = ? AND idem_key = ?`), citizen, key).
		Scan(&rec.RequestHash, &rec.StatusCode, &rec.Response, &updated)
	if err != nil {
		return nil, fmt.Errorf("store: read idempotency key: %w", err)
	}
	if rec.StatusCode == 0 && rec.RequestHash == hash && now.Sub(fromNanos(updated)) > staleAfter {
		// The owner crashed: take the claim over, unless another retry just did.
		res, err := s.w.ExecContext(ctx, s.d.bind(`UPDATE idempotency_keys SET updated_at = ?
			WHERE citizen = ? AND idem_key = ? AND status_code = 0 AND updated_at = ?`), nanos(now), citizen, key, updated)
		if err != nil {
			return nil, fmt.Errorf("store: take over idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil, nil
		}
	}
	return &rec, nil
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

type answerKey struct{}

type answer struct {
	citizen, key string
	status       int
	body         []byte
}

// WithIdempotencyAnswer makes the next Create done with the returned
// context record, in its own transaction, the answer to the request that
// owns (citizen, key): the booking and the answer a retry will get are then
// saved together, in one write instead of two.
func WithIdempotencyAnswer(ctx context.Context, citizen, key string, status int, body []byte) context.Context {
	return context.WithValue(ctx, answerKey{}, answer{citizen: citizen, key: key, status: status, body: body})
}

func (s *DB) writeAnswer(ctx context.Context, tx txn) error {
	a, ok := ctx.Value(answerKey{}).(answer)
	if !ok {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.d.bind(`UPDATE idempotency_keys SET status_code = ?, response = ?, updated_at = ?
		WHERE citizen = ? AND idem_key = ?`), a.status, a.body, nanos(s.now()), a.citizen, a.key)
	if err != nil {
		return fmt.Errorf("store: record idempotent answer: %w", err)
	}
	return nil
}
