package analytics

import (
	"context"
	"fmt"

	"github.com/fedhealth/federation/sagas/sqldb"
)

// The outcomes of an MIS call, as the registry's call observer names them
// (regions/breaker.Outcome, which broker does not import): stored, so
// they are never renamed there.
const (
	MISCallOK       = "ok"        // answered
	MISCallRefused  = "refused"   // answered with a business "no"
	MISCallFailed   = "failed"    // counted against the region
	MISCallCutShort = "cut_short" // ended by the caller or the search timeout
	MISCallOpen     = "open"      // refused by the open breaker: not made
	MISCallShed     = "shed"      // refused by a full budget: not made
)

// misCallKey is one row of analytics_mis_calls.
type misCallKey struct {
	day, region, op, outcome string
	bucket                   int
}

// addMISCalls adds counts to analytics_mis_calls in one transaction:
// additive upserts, so every instance's counts add up in the same rows.
func (s *Store) addMISCalls(ctx context.Context, counts map[misCallKey]int64) error {
	if len(counts) == 0 {
		return nil
	}
	return s.db.InTx(ctx, func(tx sqldb.Tx) error {
		q := s.db.Dialect.Bind(`INSERT INTO analytics_mis_calls (day, region, op, outcome, bucket, n) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (day, region, op, outcome, bucket) DO UPDATE SET n = analytics_mis_calls.n + excluded.n`)
		for k, n := range counts {
			if _, err := tx.ExecContext(ctx, q, k.day, k.region, k.op, k.outcome, k.bucket, n); err != nil {
				return sqldb.Classify(fmt.Errorf("analytics: add MIS calls: %w", err))
			}
		}
		return nil
	})
}

// misCalls reads the filter's MIS call counts (a region's, or every
// region's when the filter has none).
func (s *Store) misCalls(ctx context.Context, f Filter) (map[misCallKey]int64, error) {
	w, args := s.where(f)
	rows, err := s.db.R.QueryContext(ctx, `SELECT day, region, op, outcome, bucket, n FROM analytics_mis_calls`+w, args...)
	if err != nil {
		return nil, sqldb.Classify(fmt.Errorf("analytics: read MIS calls: %w", err))
	}
	defer rows.Close()
	out := map[misCallKey]int64{}
	for rows.Next() {
		var (
			k         misCallKey
			bucket, n int64
		)
		if err := rows.Scan(&k.day, &k.region, &k.op, &k.outcome, &bucket, &n); err != nil {
			return nil, fmt.Errorf("analytics: read MIS calls: %w", err)
		}
		k.bucket = int(bucket)
		out[k] += n
	}
	return out, rows.Err()
}
