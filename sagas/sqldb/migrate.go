package sqldb

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrate brings owner's tables to the newest schema. migrations is the
// owner's embedded "migrations" folder, with one folder per dialect
// ("sqlite", "postgres") of goose SQL files. Each owner
// keeps its applied versions in its own table, versionTable, so the stores
// sharing a database migrate independently. On PostgreSQL a session-level
// advisory lock makes concurrent runs (several instances starting
// together) take turns, so each migration is applied once.
func (d *DB) Migrate(ctx context.Context, owner string, migrations fs.FS, versionTable string, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	sub, err := fs.Sub(migrations, "migrations/"+d.Dialect.Name)
	if err != nil {
		return err
	}
	opts := []goose.ProviderOption{goose.WithTableName(versionTable)}
	if d.Dialect == Postgres {
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("%s: migration lock: %w", owner, err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(d.Dialect.goose, d.db, sub, opts...)
	if err != nil {
		return fmt.Errorf("%s: migrations: %w", owner, err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("%s: migrate: %w", owner, err)
	}
	for _, r := range results {
		logger.Info("schema migrated", "owner", owner, "dialect", d.Dialect.Name, "version", r.Source.Version, "took", r.Duration)
	}
	return nil
}
