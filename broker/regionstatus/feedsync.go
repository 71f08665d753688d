package regionstatus

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fedhealth/federation/sagas/sqldb"
)

// FeedSync is what operators are shown of a feed region's slot publisher:
// the latest poll any instance made, the last one that succeeded, what the
// data set in force holds, and what was refused or skipped of it. Every
// instance polls the publisher itself, so the latest attempt is the one
// shown.
type FeedSync struct {
	Instance     string
	Availability string // "known" | "unknown"
	LastSync     time.Time
	LastAttempt  time.Time
	LastOutcome  string
	LastError    string
	Published    time.Time
	Slots        int64
	FreeSlots    int64
	// Skipped counts the lines and resources of the data set in force that
	// were skipped, by reason.
	Skipped          map[string]int64
	RefusedManifests int64
}

// SkippedTotal is the sum of Skipped.
func (f FeedSync) SkippedTotal() int64 {
	var n int64
	for _, v := range f.Skipped {
		n += v
	}
	return n
}

// RecordFeedSync keeps f as the region's feed state unless a later attempt
// is recorded already (instances poll on their own clocks).
func (s *Store) RecordFeedSync(ctx context.Context, region string, f FeedSync) error {
	_, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO region_feed_sync
			(region, instance, availability, last_sync, last_attempt, last_outcome, last_error, published,
			 slots, free_slots, skipped, skipped_by_reason, refused_manifests)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (region) DO UPDATE SET instance = excluded.instance, availability = excluded.availability,
			last_sync = excluded.last_sync, last_attempt = excluded.last_attempt, last_outcome = excluded.last_outcome,
			last_error = excluded.last_error, published = excluded.published, slots = excluded.slots,
			free_slots = excluded.free_slots, skipped = excluded.skipped, skipped_by_reason = excluded.skipped_by_reason,
			refused_manifests = excluded.refused_manifests
		WHERE region_feed_sync.last_attempt <= excluded.last_attempt`),
		region, f.Instance, f.Availability, sqldb.Nanos(f.LastSync), sqldb.Nanos(f.LastAttempt), f.LastOutcome,
		f.LastError, sqldb.Nanos(f.Published), f.Slots, f.FreeSlots, f.SkippedTotal(), encodeSkipped(f.Skipped),
		f.RefusedManifests)
	if err != nil {
		return fmt.Errorf("region status: feed sync: %w", err)
	}
	return nil
}

// FeedSyncs returns every feed region's latest recorded state, by region code.
func (s *Store) FeedSyncs(ctx context.Context) (map[string]FeedSync, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT region, instance, availability, last_sync, last_attempt,
		last_outcome, last_error, published, slots, free_slots, skipped_by_reason, refused_manifests
		FROM region_feed_sync`)
	if err != nil {
		return nil, fmt.Errorf("region status: read feed sync: %w", err)
	}
	defer rows.Close()
	out := map[string]FeedSync{}
	for rows.Next() {
		var (
			region, skipped                  string
			f                                FeedSync
			lastSync, lastAttempt, published int64
		)
		if err := rows.Scan(&region, &f.Instance, &f.Availability, &lastSync, &lastAttempt, &f.LastOutcome,
			&f.LastError, &published, &f.Slots, &f.FreeSlots, &skipped, &f.RefusedManifests); err != nil {
			return nil, err
		}
		f.LastSync, f.LastAttempt, f.Published = sqldb.FromNanos(lastSync), sqldb.FromNanos(lastAttempt), sqldb.FromNanos(published)
		f.Skipped = decodeSkipped(skipped)
		out[region] = f
	}
	return out, rows.Err()
}

// RecordFeedSync shares this instance's view of a feed region; a record
// that cannot be written is logged and returned (the next one replaces it).
func (v *View) RecordFeedSync(ctx context.Context, region string, f FeedSync) error {
	f.Instance = v.cfg.Instance
	err := v.shared.RecordFeedSync(ctx, region, f)
	if err != nil {
		v.cfg.Logger.Warn("feed sync state not shared", "region", region, "err", err)
	}
	return err
}

// encodeSkipped writes the counts as "reason=n,..." sorted by reason: a
// column operators can read as it is, with no JSON to unpack.
func encodeSkipped(m map[string]int64) string {
	parts := make([]string, 0, len(m))
	for _, reason := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, reason+"="+strconv.FormatInt(m[reason], 10))
	}
	return strings.Join(parts, ",")
}

func decodeSkipped(s string) map[string]int64 {
	out := map[string]int64{}
	for part := range strings.SplitSeq(s, ",") {
		reason, n, ok := strings.Cut(part, "=")
		if v, err := strconv.ParseInt(n, 10, 64); ok && err == nil {
			out[reason] = v
		}
	}
	return out
}
