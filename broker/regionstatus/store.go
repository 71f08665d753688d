package regionstatus

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate brings the region status table in db to the newest schema.
func Migrate(ctx context.Context, db *sqldb.DB, logger *slog.Logger) error {
	return db.Migrate(ctx, "region status", migrations, "region_status_schema_version", logger)
}

// Transition is the latest breaker transition of one region, as recorded
// by whichever broker instance saw it.
type Transition struct {
	Status    contracts.RegionStatus
	Instance  string
	ChangedAt time.Time
}

// Store keeps every instance's latest transition per region in the shared
// database. It is safe for concurrent use.
type Store struct {
	db *sqldb.DB
}

// NewStore returns the store over db, migrating its table unless
// skipMigrations.
func NewStore(ctx context.Context, db *sqldb.DB, skipMigrations bool, logger *slog.Logger) (*Store, error) {
	if !skipMigrations {
		if err := Migrate(ctx, db, logger); err != nil {
			return nil, err
		}
	}
	return &Store{db: db}, nil
}

// Record keeps the transition unless a later one is recorded already
// (instances' transitions may arrive out of order).
func (s *Store) Record(ctx context.Context, region string, t Transition) error {
	_, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO region_status_latest (region, status, instance, changed_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (region) DO UPDATE SET status = excluded.status, instance = excluded.instance,
			changed_at = excluded.changed_at
		WHERE region_status_latest.changed_at < excluded.changed_at`), region, string(t.Status), t.Instance, sqldb.Nanos(t.ChangedAt))
	if err != nil {
		return fmt.Errorf("region status: record: %w", err)
	}
	return nil
}

// Latest returns the latest recorded transition of every region.
func (s *Store) Latest(ctx context.Context) (map[string]Transition, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT region, status, instance, changed_at FROM region_status_latest`)
	if err != nil {
		return nil, fmt.Errorf("region status: read: %w", err)
	}
	defer rows.Close()
	out := map[string]Transition{}
	for rows.Next() {
		var (
			region, status string
			t              Transition
			at             int64
		)
		if err := rows.Scan(&region, &status, &t.Instance, &at); err != nil {
			return nil, err
		}
		t.Status, t.ChangedAt = contracts.RegionStatus(status), sqldb.FromNanos(at)
		out[region] = t
	}
	return out, rows.Err()
}
