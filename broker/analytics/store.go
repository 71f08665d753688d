package analytics

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate brings the analytics tables in db to the newest schema.
func Migrate(ctx context.Context, db *sqldb.DB, logger *slog.Logger) error {
	return db.Migrate(ctx, "analytics", migrations, "analytics_schema_version", logger)
}

// ErrGenerationChanged is returned by Apply when a rebuild started a new
// generation since the consumer began: the consumer must stop and continue
// in the new generation's consumer group, which reads the topic afresh.
var ErrGenerationChanged = errors.New("analytics: a rebuild started a new generation")

// Store is the read model's tables. It is safe for concurrent use; Apply
// is what the consumer calls, everything else is read by the Service.
type Store struct {
	db  *sqldb.DB
	now func() time.Time
}

// NewStore returns the store over db, migrating its tables unless
// skipMigrations. A nil now means time.Now.
func NewStore(ctx context.Context, db *sqldb.DB, skipMigrations bool, now func() time.Time, logger *slog.Logger) (*Store, error) {
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

// ConsumerState is how far the read model has got.
type ConsumerState struct {
	// Generation names the consumer group (GroupName); a rebuild adds one.
	Generation int64
	// LastEventAt is the time of the newest event applied (zero: none).
	LastEventAt time.Time
	// Applied counts the messages (booking events and lead time samples)
	// applied in this generation.
	Applied int64
}

// State reads the consumer's state.
func (s *Store) State(ctx context.Context) (ConsumerState, error) {
	var (
		st   ConsumerState
		last int64
	)
	err := s.db.R.QueryRowContext(ctx, `SELECT generation, last_event_at, applied FROM analytics_consumer WHERE id = 1`).
		Scan(&st.Generation, &last, &st.Applied)
	if err != nil {
		return ConsumerState{}, sqldb.Classify(fmt.Errorf("analytics: read state: %w", err))
	}
	st.LastEventAt = sqldb.FromNanos(last)
	return st, nil
}

// Rebuild empties the aggregates and the processed events and starts the
// next generation, in one transaction. The consumers notice at their next
// event (or within a poll) and re-read the events topic from its earliest
// retained offset under the new generation's group. It returns the new
// generation.
func (s *Store) Rebuild(ctx context.Context) (int64, error) {
	var gen int64
	err := s.db.InTx(ctx, func(tx sqldb.Tx) error {
		for _, table := range []string{"analytics_processed_events", "analytics_outcomes", "analytics_latency", "analytics_waiting", "analytics_lead_times"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
				return fmt.Errorf("analytics: rebuild: empty %s: %w", table, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE analytics_consumer SET generation = generation + 1, last_event_at = 0, applied = 0 WHERE id = 1`); err != nil {
			return fmt.Errorf("analytics: rebuild: %w", err)
		}
		return tx.QueryRowContext(ctx, `SELECT generation FROM analytics_consumer WHERE id = 1`).Scan(&gen)
	})
	return gen, err
}

// RecordTransition keeps one breaker transition of region, as an instance
// saw it: the history the per-region figures show.
func (s *Store) RecordTransition(ctx context.Context, region string, to contracts.RegionStatus, instance string, at time.Time) error {
	_, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO analytics_breaker_transitions (region, status, instance, at) VALUES (?, ?, ?, ?)`),
		region, string(to), instance, sqldb.Nanos(at))
	if err != nil {
		return sqldb.Classify(fmt.Errorf("analytics: record transition: %w", err))
	}
	return nil
}
