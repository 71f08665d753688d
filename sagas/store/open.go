package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// openPool opens the connection pool of cfg's dialect without touching the
// database yet.
func openPool(cfg Config) (*sql.DB, error) {
	if cfg.PostgresURL != "" {
		db, err := sql.Open("pgx", cfg.PostgresURL)
		if err != nil {
			// Never echo the URL: it carries the password.
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.SetMaxOpenConns(cfg.MaxConns)
		db.SetMaxIdleConns(cfg.MaxConns)
		return db, nil
	}
	// WAL lets readers run beside the writer; immediate transactions take
	// the write lock up front so two writers queue on busy_timeout instead
	// of failing on a lock upgrade.
	dsn := "file:" + cfg.Path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", cfg.Path, err)
	}
	db.SetMaxOpenConns(cfg.MaxConns)
	return db, nil
}

// Migrate brings the database of cfg to the newest schema and returns,
// without opening a store: the step a deployment runs before starting
// instances with SkipMigrations. On PostgreSQL a session-level advisory
// lock makes concurrent runs (several instances starting together) take
// turns, so each migration is applied once.
func Migrate(ctx context.Context, cfg Config, logger *slog.Logger) error {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	db, err := openPool(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	return migrate(ctx, db, cfg.dialect(), logger)
}

func migrate(ctx context.Context, db *sql.DB, d *dialect, logger *slog.Logger) error {
	sub, err := fs.Sub(migrations, "migrations/"+d.name)
	if err != nil {
		return err
	}
	var opts []goose.ProviderOption
	if d == postgresDialect {
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(d.goose, db, sub, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range results {
		logger.Info("store migrated", "dialect", d.name, "version", r.Source.Version, "took", r.Duration)
	}
	return nil
}
