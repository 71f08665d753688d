package probes

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/fedhealth/federation/sagas/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate brings the probe tables in db to the newest schema.
func Migrate(ctx context.Context, db *sqldb.DB, logger *slog.Logger) error {
	return db.Migrate(ctx, "conformance probes", migrations, "probes_schema_version", logger)
}

// Store keeps the probe results of every instance in the shared database.
// It is safe for concurrent use.
type Store struct {
	db *sqldb.DB
}

var _ Reader = (*Store)(nil)

// NewStore returns the store over db, migrating its tables unless
// skipMigrations.
func NewStore(ctx context.Context, db *sqldb.DB, skipMigrations bool, logger *slog.Logger) (*Store, error) {
	if !skipMigrations {
		if err := Migrate(ctx, db, logger); err != nil {
			return nil, err
		}
	}
	return &Store{db: db}, nil
}

// Save records run and its results in one transaction: each result
// replaces its requirement's latest, and the region's results of
// requirements this run did not probe (an ID the kit no longer has) go,
// so that Latest shows what the current kit checks.
func (s *Store) Save(ctx context.Context, run Run, results []Result) error {
	err := s.db.InTx(ctx, func(tx sqldb.Tx) error {
		if len(results) > 0 {
			ids := make([]any, 0, len(results)+1)
			ids = append(ids, run.Region)
			for _, r := range results {
				ids = append(ids, r.Requirement)
			}
			if _, err := tx.ExecContext(ctx, s.db.Dialect.Bind(`DELETE FROM probe_results WHERE region = ? AND requirement NOT IN (`+
				strings.Repeat("?, ", len(results)-1)+`?)`), ids...); err != nil {
				return err
			}
		}
		for _, r := range results {
			if _, err := tx.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO probe_results
				(region, requirement, title, required, status, evidence, duration, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (region, requirement) DO UPDATE SET title = excluded.title, required = excluded.required,
					status = excluded.status, evidence = excluded.evidence, duration = excluded.duration,
					checked_at = excluded.checked_at
				WHERE probe_results.checked_at <= excluded.checked_at`),
				run.Region, r.Requirement, r.Title, r.Required, string(r.Status), r.Evidence, int64(r.Duration), sqldb.Nanos(r.CheckedAt)); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO probe_runs
			(region, started_at, finished_at, kind, passed, failed, skipped, failed_ids, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (region, started_at) DO NOTHING`),
			run.Region, sqldb.Nanos(run.Started), sqldb.Nanos(run.Finished), run.Kind, run.Passed, run.Failed, run.Skipped,
			strings.Join(run.FailedIDs, ","), run.Error)
		return err
	})
	if err != nil {
		return fmt.Errorf("probes: save run of region %s: %w", run.Region, err)
	}
	return nil
}

// Latest returns the latest result of every requirement probed in region,
// by requirement ID.
func (s *Store) Latest(ctx context.Context, region string) ([]Result, error) {
	all, err := s.latest(ctx, `WHERE region = ?`, region)
	return all[region], err
}

// LatestAll returns the latest results of every region probed, by region
// code (for the gauges: one query per scrape, whatever the regions).
func (s *Store) LatestAll(ctx context.Context) (map[string][]Result, error) {
	return s.latest(ctx, ``)
}

func (s *Store) latest(ctx context.Context, where string, args ...any) (map[string][]Result, error) {
	rows, err := s.db.R.QueryContext(ctx, s.db.Dialect.Bind(`SELECT region, requirement, title, required, status, evidence, duration, checked_at
		FROM probe_results `+where+` ORDER BY region, requirement`), args...)
	if err != nil {
		return nil, fmt.Errorf("probes: latest results: %w", err)
	}
	defer rows.Close()
	out := map[string][]Result{}
	for rows.Next() {
		var (
			r              Result
			region, status string
			d, checked     int64
		)
		if err := rows.Scan(&region, &r.Requirement, &r.Title, &r.Required, &status, &r.Evidence, &d, &checked); err != nil {
			return nil, fmt.Errorf("probes: latest results: %w", err)
		}
		r.Status, r.Duration, r.CheckedAt = Status(status), time.Duration(d), sqldb.FromNanos(checked)
		out[region] = append(out[region], r)
	}
	return out, rows.Err()
}

const runColumns = `region, started_at, finished_at, kind, passed, failed, skipped, failed_ids, error`

// Runs returns region's last n runs, newest first.
func (s *Store) Runs(ctx context.Context, region string, n int) ([]Run, error) {
	return s.runs(ctx, `SELECT `+runColumns+` FROM probe_runs WHERE region = ? ORDER BY started_at DESC LIMIT ?`, region, n)
}

// LastRuns returns the last run of every region probed, by region code.
func (s *Store) LastRuns(ctx context.Context) ([]Run, error) {
	return s.runs(ctx, `SELECT `+runColumns+` FROM probe_runs r
		WHERE started_at = (SELECT MAX(started_at) FROM probe_runs WHERE region = r.region) ORDER BY region`)
}

func (s *Store) runs(ctx context.Context, query string, args ...any) ([]Run, error) {
	rows, err := s.db.R.QueryContext(ctx, s.db.Dialect.Bind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("probes: runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var (
			r                 Run
			started, finished int64
			failedIDs         string
		)
		if err := rows.Scan(&r.Region, &started, &finished, &r.Kind, &r.Passed, &r.Failed, &r.Skipped, &failedIDs, &r.Error); err != nil {
			return nil, fmt.Errorf("probes: runs: %w", err)
		}
		r.Started, r.Finished = sqldb.FromNanos(started), sqldb.FromNanos(finished)
		if failedIDs != "" {
			r.FailedIDs = strings.Split(failedIDs, ",")
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Prune deletes the runs started before cutoff and the results checked
// before it (a requirement or region no longer probed), and reports how
// many runs went.
func (s *Store) Prune(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(tx sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.Dialect.Bind(`DELETE FROM probe_runs WHERE started_at < ?`), sqldb.Nanos(cutoff))
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.db.Dialect.Bind(`DELETE FROM probe_results WHERE checked_at < ?`), sqldb.Nanos(cutoff))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("probes: prune: %w", err)
	}
	return n, nil
}

// TakeLease makes holder the one probing region until now+ttl, when no
// other holder's lease still runs, and reports whether holder has it.
// One statement (an upsert whose update applies only to a free or expired
// lease, or to holder's own), so two instances racing for it on one
// database cannot both win, on SQLite or PostgreSQL.
func (s *Store) TakeLease(ctx context.Context, region, holder string, now time.Time, ttl time.Duration) (bool, error) {
	res, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO probe_leases (region, holder, lease_until) VALUES (?, ?, ?)
		ON CONFLICT (region) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
		WHERE probe_leases.lease_until < ? OR probe_leases.holder = excluded.holder`),
		region, holder, sqldb.Nanos(now.Add(ttl)), sqldb.Nanos(now))
	if err != nil {
		return false, fmt.Errorf("probes: lease of region %s: %w", region, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("probes: lease of region %s: %w", region, err)
	}
	return n == 1, nil
}

// ReleaseLease frees region's lease if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, region, holder string) error {
	_, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`UPDATE probe_leases SET lease_until = 0 WHERE region = ? AND holder = ?`), region, holder)
	if err != nil {
		return fmt.Errorf("probes: release lease of region %s: %w", region, err)
	}
	return nil
}
