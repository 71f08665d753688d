package system

import (
	"context"
	"errors"
	"fmt"
	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/broker/web"
	"log/slog"
	"os"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/callbacks"
	"github.com/fedhealth/federation/broker/idempotency"
	"github.com/fedhealth/federation/broker/probes"
	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/sagas/clinic"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/store"
	"github.com/google/uuid"
)

// openStores opens the one database of this process and every store over
// it: bookings and the outbox, idempotency records, region status, the
// audit trail, the MIS step ledger, the live probes' results.
func (s *System) openStores(ctx context.Context, opts Options) error {
	db, err := sqldb.Open(DatabaseConfig(opts))
	if err != nil {
		return err
	}
	s.SQL = db
	s.closers = append(s.closers, db.Close)
	if s.Store, err = store.New(ctx, db, store.Options{SkipMigrations: opts.SkipMigrations, Logger: s.logger}); err != nil {
		return err
	}
	s.closers = append(s.closers, s.Store.Close)
	s.Clinic = clinic.NewPublisher(s.Store)
	if s.idempotency, err = idempotency.New(ctx, db, opts.SkipMigrations, nil, s.logger); err != nil {
		return err
	}
	if s.callbacks, err = callbacks.NewStore(ctx, db, opts.SkipMigrations, nil, s.logger); err != nil {
		return err
	}
	if s.Audit, err = audit.New(ctx, db, audit.Options{SkipMigrations: opts.SkipMigrations, Logger: s.logger}); err != nil {
		return err
	}
	if s.ledger, err = ledger.New(ctx, db, opts.SkipMigrations, nil, s.logger); err != nil {
		return err
	}
	if s.probes, err = probes.NewStore(ctx, db, opts.SkipMigrations, s.logger); err != nil {
		return err
	}
	statuses, err := regionstatus.NewStore(ctx, db, opts.SkipMigrations, s.logger)
	if err != nil {
		return err
	}
	s.statusStore = statuses
	if s.analytics, err = analytics.NewStore(ctx, db, opts.SkipMigrations, nil, s.logger); err != nil {
		return err
	}
	if s.sessions, err = web.NewSessionStore(ctx, db, opts.SkipMigrations, nil, s.logger); err != nil {
		return err
	}
	s.regionStatus = regionstatus.New(statuses, regionstatus.Config{Instance: instanceName(), Logger: s.logger})
	return nil
}

// prepareDataDir creates dir (0700, for the store and Kafka's data) when
// it is missing and checks that this process can write there, so that a
// wrong path or owner is named at start rather than surfacing later as
// SQLite's "unable to open database file (14)". Empty: nothing to do.
func prepareDataDir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("system: data_dir %s cannot be created: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("system: data_dir %s is not writable by this process (uid %d): %w", dir, os.Getuid(), err)
	}
	_ = f.Close()
	return os.Remove(f.Name())
}

// Migrate brings every store's tables to the newest schema, without
// starting anything: the step a deployment runs before starting instances
// with SkipMigrations.
func Migrate(ctx context.Context, opts Options, logger *slog.Logger) error {
	db, err := sqldb.Open(DatabaseConfig(opts))
	if err != nil {
		return err
	}
	defer db.Close()
	return errors.Join(
		store.Migrate(ctx, db, logger),
		idempotency.Migrate(ctx, db, logger),
		callbacks.Migrate(ctx, db, logger),
		regionstatus.Migrate(ctx, db, logger),
		audit.Migrate(ctx, db, logger),
		ledger.Migrate(ctx, db, logger),
		analytics.Migrate(ctx, db, logger),
		probes.Migrate(ctx, db, logger),
	)
}

// purgeIdempotency forgets Idempotency-Keys older than ttl, hourly (or
// every quarter of a shorter ttl, at most once a second), so that a key
// is free again soon after ttl.
func (s *System) purgeIdempotency(ctx context.Context, ttl time.Duration) error {
	t := time.NewTicker(min(time.Hour, max(time.Second, ttl/4)))
	defer t.Stop()
	for {
		n, err := s.idempotency.Purge(ctx, time.Now().Add(-ttl))
		switch {
		case err != nil && ctx.Err() == nil:
			s.logger.Warn("expired idempotency records not purged", "err", err)
		case n > 0:
			s.logger.Info("expired idempotency records purged", "count", n, "older_than", ttl)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// instanceName names this process in shared records: host, pid and a
// random suffix (pids repeat across containers).
func instanceName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), uuid.NewString()[:8])
}
