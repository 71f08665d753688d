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
	// One connection writes. SQLite allows one writer at a time anyway, and
	// when writers contend inside SQLite its busy handler sleeps (1, 2, 5,
	// ... 100 ms), which under load costs far more than queueing for the
	// connection in Go. Immediate transactions take the write lock up front,
	// so a reader in another process never makes a lock upgrade fail.
	db, err := openSQLite(cfg.Path, "&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// openReaders opens the pool that reads run on. With WAL, SQLite readers
// run beside the writer; on PostgreSQL reads share the one pool.
func openReaders(cfg Config, writer *sql.DB) (*sql.DB, error) {
	if cfg.PostgresURL != "" {
		return writer, nil
	}
	db, err := openSQLite(cfg.Path, "&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(cfg.MaxConns)
	db.SetMaxIdleConns(cfg.MaxConns)
	return db, nil
}

func openSQLite(path, extra string) (*sql.DB, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)" + extra
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
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
