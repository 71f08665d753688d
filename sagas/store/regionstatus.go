package store

import (
	"context"
	"fmt"
	"time"
)

// RegionStatusRecord is the latest breaker transition of one region, as
// recorded by whichever broker instance saw it.
type RegionStatusRecord struct {
	Status    string
	Instance  string
	ChangedAt time.Time
}

// RecordRegionStatus keeps the transition unless a later one is recorded
// already (instances' transitions may arrive out of order).
func (s *DB) RecordRegionStatus(ctx context.Context, region, status, instance string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, s.d.bind(`INSERT INTO region_status (region, status, instance, changed_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (region) DO UPDATE SET status = excluded.status, instance = excluded.instance,
			changed_at = excluded.changed_at
		WHERE region_status.changed_at < excluded.changed_at`), region, status, instance, nanos(at))
	if err != nil {
		return fmt.Errorf("store: record region status: %w", err)
	}
	return nil
}

// RegionStatuses returns the latest recorded transition of every region.
func (s *DB) RegionStatuses(ctx context.Context) (map[string]RegionStatusRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT region, status, instance, changed_at FROM region_status`)
	if err != nil {
		return nil, fmt.Errorf("store: region statuses: %w", err)
	}
	defer rows.Close()
	out := map[string]RegionStatusRecord{}
	for rows.Next() {
		var (
			region string
			r      RegionStatusRecord
			at     int64
		)
		if err := rows.Scan(&region, &r.Status, &r.Instance, &at); err != nil {
			return nil, err
		}
		r.ChangedAt = fromNanos(at)
		out[region] = r
	}
	return out, rows.Err()
}
