package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
	"github.com/fedhealth/federation/sagas/store"
	"github.com/fedhealth/federation/sagas/store/storetest"
)

func openPostgres(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{PostgresURL: dsn}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestPostgresStore(t *testing.T) {
	sqldbtest.RequirePostgres(t)
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return openPostgres(t, sqldbtest.FreshSchema(t))
	})
}

func TestPostgresStoreTwoHandles(t *testing.T) {
	sqldbtest.RequirePostgres(t)
	storetest.RunPair(t, func(t *testing.T) (storetest.Store, storetest.Store) {
		dsn := sqldbtest.FreshSchema(t)
		return openPostgres(t, dsn), openPostgres(t, dsn)
	})
}

func newBooking(id string) *sagas.Booking {
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	slot := sagas.SlotSnapshot{ID: "77:S-1", MISSlotID: "S-1", Start: t0.Add(time.Hour), End: t0.Add(80 * time.Minute)}
	return sagas.NewBooking(id, "c1", slot, "77", nil, "corr", t0, time.Minute)
}

func TestPostgresOutboxHasOnePublisherAtATime(t *testing.T) {
	dsn := sqldbtest.FreshSchema(t)
	ctx := context.Background()
	a, b := openPostgres(t, dsn), openPostgres(t, dsn)
	if err := b.Create(ctx, newBooking("b1")); err != nil {
		t.Fatal(err)
	}
	held, err := a.FetchOutbox(ctx, 10)
	if err != nil || len(held) != 2 {
		t.Fatalf("first instance fetched %d messages (%v), want the booking's 2", len(held), err)
	}
	if got, err := b.FetchOutbox(ctx, 10); err != nil || len(got) != 0 {
		t.Fatalf("second instance fetched %d messages (%v) while the first publishes, want none", len(got), err)
	}
	a.Close() // the publisher stops without deleting: the next one republishes
	var got []sagas.OutboxRecord
	// The server ends the closed session, and frees its lock, a moment later.
	for deadline := time.Now().Add(5 * time.Second); len(got) == 0 && err == nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		got, err = b.FetchOutbox(ctx, 10)
	}
	if err != nil || len(got) != 2 || got[0].Seq != held[0].Seq {
		t.Fatalf("after the publisher left, the other fetched %+v (%v), want the same 2 messages", got, err)
	}
}

func TestPostgresOutboxPublisherIsWokenByOtherInstances(t *testing.T) {
	dsn := sqldbtest.FreshSchema(t)
	ctx := context.Background()
	publisher, writer := openPostgres(t, dsn), openPostgres(t, dsn)
	if _, err := publisher.FetchOutbox(ctx, 10); err != nil {
		t.Fatal(err)
	}
	waitSignal(t, publisher, "the catch-up wake-up after LISTEN")
	if err := writer.Create(ctx, newBooking("b1")); err != nil {
		t.Fatal(err)
	}
	waitSignal(t, publisher, "a wake-up for the other instance's commit")
}

func waitSignal(t *testing.T, db *store.DB, what string) {
	t.Helper()
	select {
	case <-db.OutboxSignal():
	case <-time.After(5 * time.Second):
		t.Fatalf("no %s within 5s", what)
	}
}

func TestPostgresMigrationsRunConcurrently(t *testing.T) {
	dsn := sqldbtest.FreshSchema(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			db, err := sqldb.Open(sqldb.Config{PostgresURL: dsn})
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			errs[i] = store.Migrate(ctx, db, nil)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migration %d: %v", i, err)
		}
	}
	db, err := store.Open(ctx, store.Config{PostgresURL: dsn, SkipMigrations: true, MaxConns: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Create(ctx, newBooking("b1")); err != nil {
		t.Errorf("create after concurrent migrations: %v", err)
	}
	if _, err := db.Get(ctx, "nope"); err == nil || !isNotFound(err) {
		t.Errorf("get unknown: %v, want ErrNotFound", err)
	}
}

func isNotFound(err error) bool { return errors.Is(err, contracts.ErrNotFound) }
