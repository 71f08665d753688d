package analytics

import (
	"context"
	"fmt"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb"
)

// ApplyLeadTime counts one earliest-free-slot sample once, as Apply
// counts an event (same processed-events table, same generation check).
func (s *Store) ApplyLeadTime(ctx context.Context, generation int64, l contracts.SlotLeadTime) (applied bool, err error) {
	if err := l.Validate(); err != nil {
		return false, err
	}
	err = s.db.InTx(ctx, func(tx sqldb.Tx) error {
		fresh, err := s.claim(ctx, tx, generation, l.EventID)
		if err != nil || !fresh {
			return err
		}
		applied = true
		b := bucketOf(WaitingBounds, l.EarliestStart.Sub(l.ObservedAt).Hours())
		if err := s.add(ctx, tx, `INSERT INTO analytics_lead_times (day, region, specialty, bucket, n) VALUES (?, ?, ?, ?, 1)
			ON CONFLICT (day, region, specialty, bucket) DO UPDATE SET n = analytics_lead_times.n + 1`,
			Day(l.ObservedAt), l.Region, l.Specialty, b); err != nil {
			return err
		}
		return s.add(ctx, tx, `UPDATE analytics_consumer SET applied = applied + 1 WHERE id = 1`)
	})
	return applied, err
}

// claim checks the generation and records the event id, reporting whether
// it is new.
func (s *Store) claim(ctx context.Context, tx sqldb.Tx, generation int64, eventID string) (bool, error) {
	var gen int64
	if err := tx.QueryRowContext(ctx, `SELECT generation FROM analytics_consumer WHERE id = 1`).Scan(&gen); err != nil {
		return false, fmt.Errorf("analytics: read generation: %w", err)
	}
	if gen != generation {
		return false, ErrGenerationChanged
	}
	res, err := tx.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO analytics_processed_events (event_id, applied_at) VALUES (?, ?)
		ON CONFLICT (event_id) DO NOTHING`), eventID, sqldb.Nanos(s.now()))
	if err != nil {
		return false, fmt.Errorf("analytics: record event: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
