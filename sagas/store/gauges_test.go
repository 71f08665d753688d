package store_test

import (
	"context"
	"maps"
	"path/filepath"
	"testing"
	"time"

	"github.com/fedhealth/federation/sagas"
)

func TestTheStoreCountsItsOutboxBacklogAndPendingBookingsByRegion(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t, filepath.Join(t.TempDir(), "test.db"))
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for i, region := range []string{"25", "25", "77"} {
		b := sagas.NewBooking(string(rune('a'+i)), "c1", sagas.SlotSnapshot{ID: region + ":S-1", MISSlotID: "S-1"}, region, []byte("sealed"), "corr", at, time.Minute)
		if err := db.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Update(ctx, "c", func(b *sagas.Booking) error { b.Fail("test", at); return nil }); err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingByRegion(ctx)
	if want := map[string]int64{"25": 2}; err != nil || !maps.Equal(pending, want) {
		t.Errorf("pending %v (%v), want %v: the failed booking of 77 is not pending", pending, err, want)
	}
	recs, _ := db.FetchOutbox(ctx, 100)
	backlog, err := db.OutboxBacklog(ctx)
	if err != nil || backlog != int64(len(recs)) || backlog < 3 {
		t.Errorf("backlog %d (%v), want the %d messages in the outbox", backlog, err, len(recs))
	}
	seqs := make([]int64, len(recs))
	for i, r := range recs {
		seqs[i] = r.Seq
	}
	if err := db.DeleteOutbox(ctx, seqs); err != nil {
		t.Fatal(err)
	}
	if backlog, err = db.OutboxBacklog(ctx); err != nil || backlog != 0 {
		t.Errorf("backlog after publishing %d (%v), want 0", backlog, err)
	}
}
