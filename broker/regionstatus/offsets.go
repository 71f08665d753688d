package regionstatus

import (
	"context"
	"fmt"
	"time"

	"github.com/fedhealth/federation/sagas/sqldb"
)

// SlotOffsets is what operators are shown of the slots a region's MIS gave
// with a UTC offset that is not the region's at that instant (the region
// adapter refuses them): how many, over every instance and restart, and
// the latest, e.g. slot "S-1" with Got "+06:00" where the region has Want
// "+10:00".
type SlotOffsets struct {
	Mismatches int64
	SlotID     string
	Got, Want  string
	Instance   string
	SeenAt     time.Time
}

// AddSlotOffsets adds n mismatches to the region's count and keeps last as
// its latest example unless a later one is recorded already. Instances add
// what they saw since their last call, so the count survives restarts.
func (s *Store) AddSlotOffsets(ctx context.Context, region string, n int64, last SlotOffsets) error {
	_, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO region_slot_offsets
			(region, mismatches, last_slot_id, last_got, last_want, last_instance, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (region) DO UPDATE SET mismatches = region_slot_offsets.mismatches + excluded.mismatches,
			last_slot_id = CASE WHEN excluded.last_seen_at > region_slot_offsets.last_seen_at THEN excluded.last_slot_id ELSE region_slot_offsets.last_slot_id END,
			last_got = CASE WHEN excluded.last_seen_at > region_slot_offsets.last_seen_at THEN excluded.last_got ELSE region_slot_offsets.last_got END,
			last_want = CASE WHEN excluded.last_seen_at > region_slot_offsets.last_seen_at THEN excluded.last_want ELSE region_slot_offsets.last_want END,
			last_instance = CASE WHEN excluded.last_seen_at > region_slot_offsets.last_seen_at THEN excluded.last_instance ELSE region_slot_offsets.last_instance END,
			last_seen_at = CASE WHEN excluded.last_seen_at > region_slot_offsets.last_seen_at THEN excluded.last_seen_at ELSE region_slot_offsets.last_seen_at END`),
		region, n, last.SlotID, last.Got, last.Want, last.Instance, sqldb.Nanos(last.SeenAt))
	if err != nil {
		return fmt.Errorf("region status: slot offsets: %w", err)
	}
	return nil
}

// SlotOffsets returns every region's slot offset record, by region code.
func (s *Store) SlotOffsets(ctx context.Context) (map[string]SlotOffsets, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT region, mismatches, last_slot_id, last_got, last_want, last_instance, last_seen_at
		FROM region_slot_offsets`)
	if err != nil {
		return nil, fmt.Errorf("region status: read slot offsets: %w", err)
	}
	defer rows.Close()
	out := map[string]SlotOffsets{}
	for rows.Next() {
		var (
			region string
			o      SlotOffsets
			at     int64
		)
		if err := rows.Scan(&region, &o.Mismatches, &o.SlotID, &o.Got, &o.Want, &o.Instance, &at); err != nil {
			return nil, err
		}
		o.SeenAt = sqldb.FromNanos(at)
		out[region] = o
	}
	return out, rows.Err()
}

// AddSlotOffsets shares n mismatches this instance saw in region, with
// the latest example; a record that cannot be written is logged and
// returned, so the caller can try again with the same n.
func (v *View) AddSlotOffsets(ctx context.Context, region string, n int64, last SlotOffsets) error {
	last.Instance = v.cfg.Instance
	err := v.shared.AddSlotOffsets(ctx, region, n, last)
	if err != nil {
		v.cfg.Logger.Warn("slot offset mismatches not shared", "region", region, "err", err)
	}
	return err
}
