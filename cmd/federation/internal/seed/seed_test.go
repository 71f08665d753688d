package seed_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/idempotency"
	"github.com/fedhealth/federation/cmd/federation/internal/seed"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/store"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// TestASeededStoreHoldsEveryBookingAsTheBrokerWroteItAndNothingToPublish
// seeds a real SQLite store and reads it back through the store, as the
// API would: every booking is there, finished, in each citizen's history
// (the heavy ones with 40), timelines whole, the recent requests'
// idempotency records answer a repeat, and the outbox is empty, so nothing
// of it reaches Kafka.
func TestASeededStoreHoldsEveryBookingAsTheBrokerWroteItAndNothingToPublish(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(sqldb.Config{Path: filepath.Join(t.TempDir(), "seed.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := store.New(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	idem, err := idempotency.New(ctx, db, false, func() time.Time { return now }, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := auth.NewPseudonymizer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	const n, citizens = 5000, 250
	res, err := seed.Run(ctx, st, idem, keys, seed.Options{Bookings: n, Citizens: citizens, Regions: []string{"77", "78"},
		Batch: 700, Seed: 7, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Bookings != n || res.Citizens != citizens || res.Heavy != 2 {
		t.Fatalf("result %+v, want %d bookings of %d citizens, 2 heavy", res, n, citizens)
	}
	for _, s := range []sagas.Status{sagas.StatusConfirmed, sagas.StatusVisited, sagas.StatusCancelled, sagas.StatusRejected, sagas.StatusFailed, sagas.StatusNoShow} {
		if res.ByStatus[s] == 0 {
			t.Errorf("no %s booking among %v", s, res.ByStatus)
		}
	}
	var rows, timeline, outbox, records int
	for q, v := range map[string]*int{`SELECT COUNT(*) FROM bookings`: &rows, `SELECT COUNT(*) FROM booking_timeline`: &timeline,
		`SELECT COUNT(*) FROM outbox`: &outbox, `SELECT COUNT(*) FROM idempotency_records`: &records} {
		if err := db.R.QueryRowContext(ctx, q).Scan(v); err != nil {
			t.Fatal(err)
		}
	}
	if rows != n || timeline != res.Timeline || outbox != 0 || records != res.Idempotency || records == 0 {
		t.Errorf("rows %d, timeline %d (want %d), outbox %d (want 0), idempotency records %d (want %d, some)",
			rows, timeline, res.Timeline, outbox, records, res.Idempotency)
	}
	heavy, err := st.ListByCitizen(ctx, keys.Pseudonym("citizen", "seed-0"), nil, 200)
	if err != nil {
		t.Fatal(err)
	}
	if len(heavy) != seed.MaxPerCitizen {
		t.Fatalf("seed-0's history: %d bookings, want %d", len(heavy), seed.MaxPerCitizen)
	}
	total := 0
	for i := range citizens {
		bs, err := st.ListByCitizen(ctx, keys.Pseudonym("citizen", "seed-"+itoa(i)), nil, 200)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) < 1 || len(bs) > seed.MaxPerCitizen {
			t.Errorf("seed-%d has %d bookings, want 1 to %d", i, len(bs), seed.MaxPerCitizen)
		}
		total += len(bs)
	}
	if total != n {
		t.Errorf("the citizens' histories hold %d bookings, want %d", total, n)
	}
	for _, b := range heavy {
		if !b.Status.Final() || b.Step != sagas.StepDone || len(b.Timeline) < 2 || b.Timeline[0].Code != sagas.CodeRequested {
			t.Errorf("booking %s: %s at %s, timeline %+v; want finished with its whole timeline", b.ID, b.Status, b.Step, b.Timeline)
		}
		if b.Slot.Start.Before(now.AddDate(-2, 0, -1)) || b.Slot.Start.After(now.AddDate(0, 6, 1)) || b.CreatedAt.After(now) {
			t.Errorf("booking %s: slot %s, made %s; want the slot within two years back and six months ahead, made before now",
				b.ID, b.Slot.Start, b.CreatedAt)
		}
		// Get reads a citizen's own booking without its keys (they find
		// only bookings made elsewhere): count them in their table.
		var nkeys int
		if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM booking_patient_keys WHERE booking_id = ?`, b.ID).Scan(&nkeys); err != nil || nkeys != 2 {
			t.Errorf("booking %s: %v, %d patient keys; want the citizen's two", b.ID, err, nkeys)
		}
	}
	// A recent request's repeat gets its answer back.
	var owner, key string
	if err := db.R.QueryRowContext(ctx, `SELECT owner, idem_key FROM idempotency_records LIMIT 1`).Scan(&owner, &key); err != nil {
		t.Fatal(err)
	}
	if rec, err := idem.Reserve(ctx, owner, key, "other", time.Minute); err != nil || rec == nil || rec.StatusCode != 202 {
		t.Errorf("a seeded key repeated: %+v, %v; want its answer (202)", rec, err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
