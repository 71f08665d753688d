package loadgen_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/idempotency"
	"github.com/fedhealth/federation/cmd/federation/internal/loadgen"
	"github.com/fedhealth/federation/cmd/federation/internal/seed"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/missim/fleet"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/store"
)

// TestHistoryReadsTheSeededCitizensPagesThroughTheAPI seeds a store, starts
// the whole system on it, and reads the heavy citizens' history pages as
// those citizens: every page holds their 40 bookings, and none fails.
func TestHistoryReadsTheSeededCitizensPagesThroughTheAPI(t *testing.T) {
	ctx := context.Background()
	dir, key := t.TempDir(), bytes.Repeat([]byte{1}, 32)
	db, err := sqldb.Open(system.DatabaseConfig(system.Options{DataDir: dir}))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.New(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	idem, err := idempotency.New(ctx, db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := auth.NewPseudonymizer(key)
	if _, err := seed.Run(ctx, st, idem, keys, seed.Options{Bookings: 2000, Citizens: 200, Regions: []string{"77", "78"}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	db.Close()

	logger := slog.New(slog.DiscardHandler)
	sims, err := fleet.StartSimulators(fleet.Regions[:2], 7, 0, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fleet.CloseAll(sims) })
	sys, err := system.Start(ctx, system.Options{Listen: "127.0.0.1:0", DataDir: dir, Regions: fleet.RegistryConfigs(sims),
		DevIssuer: true, PseudonymKey: key, SealKey: bytes.Repeat([]byte{2}, 32), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Close() })
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rep, err := loadgen.RunHistory(ctx, loadgen.Config{Target: sys.URL, Concurrency: 4},
		loadgen.HistoryConfig{Reads: 40, Prefix: "seed-", Citizens: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Latency.Count != 40 || len(rep.Errors) != 0 || rep.Bookings != seed.MaxPerCitizen {
		t.Errorf("report %+v: want 40 reads answered, each page of %d bookings", rep, seed.MaxPerCitizen)
	}
}
