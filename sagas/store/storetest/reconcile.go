package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// ReconcileStore is the store's side of reconciliation (sagas/reconcile.Store
// and the operators' view of the last passes).
type ReconcileStore interface {
	ReconcileBookings(ctx context.Context, region string, from time.Time, after string, limit int) ([]*sagas.Booking, error)
	TakeReconcileLease(ctx context.Context, region, holder string, now time.Time, ttl time.Duration) (bool, error)
	FinishReconcilePass(ctx context.Context, holder string, p sagas.ReconcilePass) error
	ReconcilePasses(ctx context.Context) ([]sagas.ReconcilePass, error)
	ErasePatientsPast(ctx context.Context, before time.Time) (int64, error)
}

// patientsKeptUntilTheSweep: a confirmed booking that keeps its sealed
// identifiers keeps them until its slot ended before the sweep's bound;
// then they are erased, and an update that loaded it before cannot write
// them back.
func patientsKeptUntilTheSweep(t *testing.T, s Store) {
	ctx := context.Background()
	b := newBooking("k1", "c", t0)
	b.ConfirmKeepingPatient(contracts.Appointment{ID: "A-k1"}, t0)
	if err := s.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	end := b.Slot.End
	if n, err := s.ErasePatientsPast(ctx, end); err != nil || n != 0 {
		t.Fatalf("before the end: erased %d, %v", n, err)
	}
	if got, _ := s.Get(ctx, "k1"); string(got.PatientSealed) != "sealed" {
		t.Fatalf("kept %q, want the seal", got.PatientSealed)
	}
	stale, _ := s.Get(ctx, "k1")
	if n, err := s.ErasePatientsPast(ctx, end.Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("after the end: erased %d, %v", n, err)
	}
	if got, _ := s.Get(ctx, "k1"); got.PatientSealed != nil || got.Version == stale.Version {
		t.Fatalf("after the sweep: sealed %q, version %d (was %d)", got.PatientSealed, got.Version, stale.Version)
	}
}

// reconcileLeaseOneHolder: of many holders racing for one region's lease
// exactly one gets it; it renews it, frees it by finishing, and the pass it
// finished is what operators read.
func reconcileLeaseOneHolder(t *testing.T, s Store) {
	ctx := context.Background()
	var (
		mu  sync.Mutex
		won []string
		wg  sync.WaitGroup
	)
	for _, h := range []string{"a", "b", "c", "d"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.TakeReconcileLease(ctx, "25", h, t0, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won = append(won, h)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(won) != 1 {
		t.Fatalf("holders with the lease: %v, want exactly one", won)
	}
	if ok, _ := s.TakeReconcileLease(ctx, "25", won[0], t0.Add(30*time.Second), time.Minute); !ok {
		t.Fatal("the holder could not renew its lease")
	}
	if ok, _ := s.TakeReconcileLease(ctx, "25", "z", t0.Add(61*time.Second), time.Minute); ok {
		t.Fatal("another took a renewed lease before it lapsed")
	}
	p := sagas.ReconcilePass{Region: "25", StartedAt: t0, FinishedAt: t0.Add(time.Second), Checked: 3, Found: 2, Repaired: 1}
	if err := s.FinishReconcilePass(ctx, won[0], p); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.TakeReconcileLease(ctx, "25", "z", t0.Add(2*time.Second), time.Minute); !ok {
		t.Fatal("a finished pass did not free the lease")
	}
	got, err := s.ReconcilePasses(ctx)
	if err != nil || len(got) != 1 || got[0].Found != 2 || got[0].Repaired != 1 || !got[0].FinishedAt.Equal(p.FinishedAt) {
		t.Fatalf("last passes %+v, %v; want %+v", got, err, p)
	}
}

// reconcileBookingsByRegionAndPeriod: the pass reads the region's bookings
// with an appointment whose slot ends since its start, in pages by id.
func reconcileBookingsByRegionAndPeriod(t *testing.T, s Store) {
	ctx := context.Background()
	for _, id := range []string{"r1", "r2", "r3"} {
		b := newBooking(id, "c", t0)
		b.Confirm(contracts.Appointment{ID: "A-" + id}, t0)
		if err := s.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	noAppt := newBooking("r0", "c", t0) // pending at the hold: no appointment yet
	if err := s.Create(ctx, noAppt); err != nil {
		t.Fatal(err)
	}
	elsewhere := newBooking("x1", "c", t0)
	elsewhere.Region = "77"
	elsewhere.Confirm(contracts.Appointment{ID: "A-x1"}, t0)
	if err := s.Create(ctx, elsewhere); err != nil {
		t.Fatal(err)
	}
	first, err := s.ReconcileBookings(ctx, "25", t0, "", 2)
	if err != nil || len(first) != 2 || first[0].ID != "r1" || first[1].ID != "r2" {
		t.Fatalf("first page %v, %v", ids(first), err)
	}
	rest, err := s.ReconcileBookings(ctx, "25", t0, "r2", 2)
	if err != nil || len(rest) != 1 || rest[0].ID != "r3" {
		t.Fatalf("second page %v, %v", ids(rest), err)
	}
	// The slot ends on 2026-12-01 09:20 +10: a period starting after it has none.
	late, err := s.ReconcileBookings(ctx, "25", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), "", 10)
	if err != nil || len(late) != 0 {
		t.Fatalf("after the slots ended: %v, %v", ids(late), err)
	}
}
