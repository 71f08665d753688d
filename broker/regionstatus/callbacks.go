package regionstatus

import (
	"context"
	"fmt"
	"time"

	"github.com/fedhealth/federation/sagas/sqldb"
)

// CallbackRejections is one region's count of refused status callbacks for
// one reason (broker/callbacks' Reason constants), over every instance.
type CallbackRejections struct {
	Region, Reason string
	Count          int64
	LastAt         time.Time
}

// hourlyKept is how long the hourly counts are kept: two days, so a
// 24-hour window always has its hours.
const hourlyKept = 48 * time.Hour

// AddCallbackRejection counts one refused callback of region for reason:
// in total and in the hour of at, in one transaction.
func (s *Store) AddCallbackRejection(ctx context.Context, region, reason string, at time.Time) error {
	hour := at.UTC().Truncate(time.Hour)
	err := s.db.InTx(ctx, func(tx sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO region_callback_rejections (region, reason, rejected, last_at)
		VALUES (?, ?, 1, ?) ON CONFLICT (region, reason)
		DO UPDATE SET rejected = region_callback_rejections.rejected + 1,
			last_at = CASE WHEN excluded.last_at > region_callback_rejections.last_at THEN excluded.last_at ELSE region_callback_rejections.last_at END`),
			region, reason, sqldb.Nanos(at)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO region_callback_rejections_hourly (region, reason, hour, rejected)
		VALUES (?, ?, ?, 1) ON CONFLICT (region, reason, hour)
		DO UPDATE SET rejected = region_callback_rejections_hourly.rejected + 1`),
			region, reason, sqldb.Nanos(hour)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.db.Dialect.Bind(`DELETE FROM region_callback_rejections_hourly
		WHERE region = ? AND reason = ? AND hour < ?`), region, reason, sqldb.Nanos(hour.Add(-hourlyKept)))
		return err
	})
	if err != nil {
		return sqldb.Classify(fmt.Errorf("region status: callback rejection: %w", err))
	}
	return nil
}

// RecentCallbackRejections counts region's refused callbacks by reason in
// the 24 hours up to now, by whole hours: the hour now is in and the 24
// before it, so a refusal up to 25 hours old may still count.
func (s *Store) RecentCallbackRejections(ctx context.Context, region string, now time.Time) (map[string]int64, error) {
	from := now.UTC().Truncate(time.Hour).Add(-24 * time.Hour)
	rows, err := s.db.R.QueryContext(ctx, s.db.Dialect.Bind(`SELECT reason, SUM(rejected) FROM region_callback_rejections_hourly
		WHERE region = ? AND hour >= ? GROUP BY reason`), region, sqldb.Nanos(from))
	if err != nil {
		return nil, fmt.Errorf("region status: read recent callback rejections: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var (
			reason string
			n      int64
		)
		if err := rows.Scan(&reason, &n); err != nil {
			return nil, fmt.Errorf("region status: read recent callback rejections: %w", err)
		}
		out[reason] = n
	}
	return out, rows.Err()
}

// CallbackRejections lists the counts by region, then reason.
func (s *Store) CallbackRejections(ctx context.Context) ([]CallbackRejections, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT region, reason, rejected, last_at FROM region_callback_rejections ORDER BY region, reason`)
	if err != nil {
		return nil, fmt.Errorf("region status: read callback rejections: %w", err)
	}
	defer rows.Close()
	var out []CallbackRejections
	for rows.Next() {
		var (
			r    CallbackRejections
			last int64
		)
		if err := rows.Scan(&r.Region, &r.Reason, &r.Count, &last); err != nil {
			return nil, fmt.Errorf("region status: read callback rejections: %w", err)
		}
		r.LastAt = sqldb.FromNanos(last)
		out = append(out, r)
	}
	return out, rows.Err()
}
