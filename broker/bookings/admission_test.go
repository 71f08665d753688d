package bookings

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/store"
)

// The real bookings store (SQLite) is the backlog admission reads.
func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{Path: filepath.Join(t.TempDir(), "s.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func waiting(t *testing.T, db *store.DB, id, region string, at time.Time) {
	t.Helper()
	b := sagas.NewBooking(id, "c1", sagas.SlotSnapshot{ID: region + ":S-" + id, MISSlotID: "S-" + id}, region, nil, "", at, time.Minute)
	if err := db.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func TestAdmissionRefusesARegionWhoseOldestWaitingBookingHasWaitedTooLong(t *testing.T) {
	db := openStore(t)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a := newAdmission(db, func(string) time.Duration { return 30 * time.Second }, clock)
	ctx := context.Background()

	if err := a.admit(ctx, "77"); err != nil {
		t.Fatalf("an empty queue: %v, want admitted", err)
	}
	waiting(t, db, "old", "77", now.Add(-40*time.Second))
	waiting(t, db, "fresh", "25", now.Add(-5*time.Second))
	now = now.Add(admissionRefresh + time.Millisecond) // past the last reading

	err := a.admit(ctx, "77")
	if !errors.Is(err, contracts.ErrRegionBusy) {
		t.Fatalf("a queue 40 s old with 30 s allowed: %v, want the region busy", err)
	}
	if err := a.admit(ctx, "25"); err != nil {
		t.Errorf("another region's short queue: %v, want admitted (one region's queue is its own)", err)
	}

	// The old booking leaves the queue (its hold was made, or it failed).
	if err := db.Update(ctx, "old", func(b *sagas.Booking) error { b.Fail("test", now); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := a.admit(ctx, "77"); !errors.Is(err, contracts.ErrRegionBusy) {
		t.Errorf("within the refresh interval the last reading stands: %v", err)
	}
	now = now.Add(admissionRefresh + time.Millisecond)
	if err := a.admit(ctx, "77"); err != nil {
		t.Errorf("once the queue is short again: %v, want admitted", err)
	}
}

func TestAdmissionThatCannotReadTheBacklogAdmits(t *testing.T) {
	db := openStore(t)
	a := newAdmission(db, func(string) time.Duration { return time.Second }, time.Now)
	db.Close() // every read fails now
	if err := a.admit(context.Background(), "77"); err != nil {
		t.Errorf("an unreadable backlog: %v, want admitted (admission protects the region; it must not become a way to fail)", err)
	}
}

func TestEachRegionIsAdmittedByItsOwnKindsDeadline(t *testing.T) {
	c := Config{BookingDeadline: 2 * time.Minute, KindDeadlines: map[contracts.RegionKind]time.Duration{contracts.RegionSOAP: 10 * time.Minute}}
	c.setDefaults()
	for _, tt := range []struct {
		name string
		kind contracts.RegionKind
		want time.Duration
	}{
		{"a fhir region waits up to half the booking deadline", contracts.RegionFHIR, time.Minute},
		{"a soap region up to half of its own kind's deadline", contracts.RegionSOAP, 5 * time.Minute},
		{"a feed region is never refused by queue age (nothing is called)", contracts.RegionFeed, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.maxQueueDelay(tt.kind); got != tt.want {
				t.Fatalf("max queue delay %s, want %s", got, tt.want)
			}
		})
	}
	c.MaxQueueDelay = 20 * time.Second
	if got := c.maxQueueDelay(contracts.RegionSOAP); got != 20*time.Second {
		t.Errorf("a configured MaxQueueDelay: %s, want it for every kind that is admitted", got)
	}
	if got := c.maxQueueDelay(contracts.RegionFeed); got != 0 {
		t.Errorf("a configured MaxQueueDelay on a feed region: %s, want none", got)
	}
}
