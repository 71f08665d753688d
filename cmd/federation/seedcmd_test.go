package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/store"
)

// "federation seed --data DIR" seeds the demo's store with the demo's keys:
// the summary names the rows and the size per booking, a seeded citizen's
// history is found under the pseudonym the demo's key gives, and no
// message waits in the outbox. --rebuild-indexes leaves every index in
// place after a second run.
func TestSeedWritesTheDemosStoreWithItsKeysAndNothingToPublish(t *testing.T) {
	t.Setenv("DATABASE_URL", "") // the demo's SQLite store, also where CI has PostgreSQL
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"seed", "--data", dir, "--bookings", "800", "--citizens", "40"}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	for _, want := range []string{"seeded 800 bookings of 40 citizens", "bytes per booking", "idempotency records"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary %q lacks %q", out.String(), want)
		}
	}
	keys, err := demoKeys(filepath.Join(dir, "demo-keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := auth.NewPseudonymizer(keys.Pseudonym)
	ctx := context.Background()
	indexes := func() int {
		db, err := sqldb.Open(system.DatabaseConfig(system.Options{DataDir: dir}))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		st, err := store.New(ctx, db, store.Options{SkipMigrations: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if bs, err := st.ListByCitizen(ctx, p.Pseudonym("citizen", "seed-0"), nil, 200); err != nil || len(bs) != 40 {
			t.Errorf("seed-0's history: %d bookings, %v; want 40", len(bs), err)
		}
		var outbox, n int
		_ = db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&outbox)
		_ = db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'`).Scan(&n)
		if outbox != 0 {
			t.Errorf("%d messages in the outbox, want none", outbox)
		}
		return n
	}
	before := indexes()
	out.Reset()
	if err := run(ctx, []string{"seed", "--data", dir, "--bookings", "100", "--citizens", "10", "--prefix", "more-", "--seed", "2", "--rebuild-indexes"}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if after := indexes(); after != before || !strings.Contains(out.String(), "rebuilding") {
		t.Errorf("%d indexes after a rebuild, %d before; summary %q", after, before, out.String())
	}
	if err := run(ctx, []string{"seed", "--data", dir}, &out, &errOut); err == nil {
		t.Error("seed without --bookings ran")
	}
}
