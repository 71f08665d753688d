package booking_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/booking"
	"github.com/fedhealth/federation/sagas/store"
)

func TestAnUnansweredFeedBookingExpiresWithoutAnyMISCall(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "s.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	mis := &scriptedMIS{}
	saga, err := booking.New(booking.Config{Store: db, Directory: directory{mis}, Sealer: plainSealer{},
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	b := sagas.NewOperatorBooking("f1", "c1", sagas.SlotSnapshot{ID: "25:S-1", MISSlotID: "S-1"}, "25", []byte("sealed"), "", now, 24*time.Hour)
	if err := db.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	if recs, _ := db.FetchOutbox(ctx, 10); len(recs) != 1 || recs[0].Metadata[sagas.MetaKind] != "event" {
		t.Fatalf("a feed booking queues its event only, no saga command: %+v", recs)
	}
	drainOutbox(t, db)
	if err := saga.Advance(ctx, "f1"); err != nil { // a stray command changes nothing
		t.Fatal(err)
	}
	now = now.Add(23 * time.Hour)
	if n, _ := saga.FailOverdue(ctx, 10); n != 0 {
		t.Fatal("a feed booking expired before its deadline")
	}
	now = now.Add(2 * time.Hour)
	if n, err := saga.FailOverdue(ctx, 10); n != 1 || err != nil {
		t.Fatalf("FailOverdue: %d %v, want 1", n, err)
	}
	got, _ := db.Get(ctx, "f1")
	if got.Status != sagas.StatusFailed || got.Reason != sagas.ReasonClinicNoAnswer || got.Step != sagas.StepDone || got.PatientSealed != nil {
		t.Fatalf("expired feed booking: %s %q at %s (sealed %v)", got.Status, got.Reason, got.Step, got.PatientSealed != nil)
	}
	recs, _ := db.FetchOutbox(ctx, 10)
	for _, r := range recs {
		if r.Topic != contracts.TopicEvents || r.Metadata[sagas.MetaKind] != "event" {
			t.Errorf("expiry queued %s to %s: no release command may follow", r.Metadata[sagas.MetaKind], r.Topic)
		}
	}
	if len(mis.calls) != 0 {
		t.Errorf("MIS calls for a feed booking: %v", mis.calls)
	}
	if live, err := db.LiveOperatorSlots(ctx, "25", time.Time{}); err != nil || len(live) != 0 {
		t.Errorf("live feed slots after expiry: %v, %v; want none (the slot is offered again)", live, err)
	}
}

func TestAnAbandonedFeedBookingEndsAtOnceWithNothingToRelease(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "s.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	mis := &scriptedMIS{}
	saga, err := booking.New(booking.Config{Store: db, Directory: directory{mis}, Sealer: plainSealer{},
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	b := sagas.NewOperatorBooking("f1", "c1", sagas.SlotSnapshot{ID: "25:S-1", MISSlotID: "S-1"}, "25", []byte("sealed"), "", now, 24*time.Hour)
	if err := db.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	drainOutbox(t, db)
	if err := db.Update(ctx, "f1", func(b *sagas.Booking) error { return b.Nudge(now) }); !errors.Is(err, contracts.ErrConflict) {
		t.Fatalf("a retry of a pending feed booking: %v, want ErrConflict (no saga drives it)", err)
	}
	if recs, _ := db.FetchOutbox(ctx, 10); len(recs) != 0 {
		t.Fatalf("a refused retry queued %+v", recs)
	}
	if err := db.Update(ctx, "f1", func(b *sagas.Booking) error { return b.Abandon(now) }); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Get(ctx, "f1")
	if got.Status != sagas.StatusFailed || got.Reason != sagas.ReasonAbandoned || got.Step != sagas.StepDone || got.PatientSealed != nil {
		t.Fatalf("abandoned feed booking: %s %q at %s (sealed %v); want failed, abandoned, done, erased",
			got.Status, got.Reason, got.Step, got.PatientSealed != nil)
	}
	recs, _ := db.FetchOutbox(ctx, 10)
	for _, r := range recs {
		if r.Topic != contracts.TopicEvents {
			t.Errorf("abandon queued %s to %s: nothing may go to the region's topic", r.Metadata[sagas.MetaKind], r.Topic)
		}
	}
	if live, _ := db.LiveOperatorSlots(ctx, "25", time.Time{}); len(live) != 0 {
		t.Errorf("the abandoned booking's slot is still live: %v", live)
	}
	now = now.Add(time.Hour)
	if ids, _ := db.Stalled(ctx, now, 10); len(ids) != 0 {
		t.Errorf("stalled bookings %v: an operator booking is never a saga to nudge", ids)
	}
	if n, err := saga.NudgeStalled(ctx, now, 10); n != 0 || err != nil {
		t.Errorf("NudgeStalled: %d, %v", n, err)
	}
	if len(mis.calls) != 0 {
		t.Errorf("MIS calls for a feed booking: %v", mis.calls)
	}
}
