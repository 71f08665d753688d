package idempotency_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/idempotency"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func newStore(t *testing.T, db *sqldb.DB, now func() time.Time) *idempotency.Store {
	t.Helper()
	s, err := idempotency.New(context.Background(), db, false, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAKeyRemembersTheFirstAnswer(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, _ := open(t)
		s := newStore(t, db, nil)
		ctx := context.Background()
		if rec, err := s.Reserve(ctx, "c1", "k", "h1", time.Minute); rec != nil || err != nil {
			t.Fatalf("first reserve: %v %v, want ownership", rec, err)
		}
		if rec, _ := s.Reserve(ctx, "c1", "k", "h1", time.Minute); rec == nil || rec.StatusCode != 0 {
			t.Errorf("reserve while in flight: %+v, want the in-flight record", rec)
		}
		if rec, _ := s.Reserve(ctx, "c2", "k", "h1", time.Minute); rec != nil {
			t.Errorf("another citizen's key: %+v, want ownership", rec)
		}
		_ = s.Complete(ctx, "c1", "k", 202, []byte(`{"id":"b1"}`))
		rec, _ := s.Reserve(ctx, "c1", "k", "h1", time.Minute)
		if rec == nil || rec.StatusCode != 202 || string(rec.Response) != `{"id":"b1"}` || rec.RequestHash != "h1" {
			t.Errorf("after complete: %+v, want the stored answer", rec)
		}
		_, _ = s.Reserve(ctx, "c1", "k2", "h", time.Minute)
		_ = s.Release(ctx, "c1", "k2", time.Now())
		if rec, _ := s.Reserve(ctx, "c1", "k2", "h", time.Minute); rec != nil {
			t.Errorf("after release: %+v, want ownership again", rec)
		}
		if rec, _ := s.Reserve(ctx, "c1", "k2", "h", -time.Second); rec != nil {
			t.Errorf("stale claim: %+v, want it taken over", rec)
		}
	})
}

func TestAReleaseNeverFreesAClaimARetryTookOverSince(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, _ := open(t)
		now := t0
		s := newStore(t, db, func() time.Time { return now })
		ctx := context.Background()
		if rec, err := s.Reserve(ctx, "c1", "k", "h", 30*time.Second); rec != nil || err != nil {
			t.Fatalf("first claim: %+v %v", rec, err)
		}
		firstClaim := now
		now = now.Add(time.Minute) // the first request hung; a retry takes over
		if rec, err := s.Reserve(ctx, "c1", "k", "h", 30*time.Second); rec != nil || err != nil {
			t.Fatalf("takeover: %+v %v", rec, err)
		}
		// The first request's late release must leave the retry's claim.
		if err := s.Release(ctx, "c1", "k", firstClaim); err != nil {
			t.Fatal(err)
		}
		if rec, _ := s.Reserve(ctx, "c1", "k", "h", 30*time.Second); rec == nil || rec.StatusCode != 0 {
			t.Errorf("after the stale release: %+v, want the retry's claim still in flight", rec)
		}
	})
}

func TestExpiredRecordsArePurgedAndTheirKeysRunAgain(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, _ := open(t)
		now := t0
		s := newStore(t, db, func() time.Time { return now })
		ctx := context.Background()
		_, _ = s.Reserve(ctx, "c1", "old", "h", time.Minute)
		_ = s.Complete(ctx, "c1", "old", 202, []byte("{}"))
		now = t0.Add(72 * time.Hour)
		_, _ = s.Reserve(ctx, "c1", "new", "h", time.Minute)
		n, err := s.Purge(ctx, now.Add(-time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("purge: %d, %v; want the one old record", n, err)
		}
		if rec, _ := s.Reserve(ctx, "c1", "old", "h2", time.Minute); rec != nil {
			t.Errorf("a purged key: %+v, want it free for a new request", rec)
		}
		if rec, _ := s.Reserve(ctx, "c1", "new", "h", time.Minute); rec == nil {
			t.Error("a recent key was purged")
		}
	})
}

// TestConcurrentFirstRequestsLeaveExactlyOneOwner races first requests with
// one key from two handles, as two broker instances would: one owns the
// key, the others see its in-flight record.
func TestConcurrentFirstRequestsLeaveExactlyOneOwner(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, another := open(t)
		stores := []*idempotency.Store{newStore(t, db, nil), newStore(t, another(), nil)}
		ctx := context.Background()
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			owners int
		)
		for i := range 8 {
			s := stores[i%2]
			wg.Go(func() {
				rec, err := s.Reserve(ctx, "c1", "k", "h", time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if rec == nil {
					mu.Lock()
					owners++
					mu.Unlock()
				} else if rec.StatusCode != 0 || rec.RequestHash != "h" {
					t.Errorf("a loser saw %+v, want the in-flight record", rec)
				}
			})
		}
		wg.Wait()
		if owners != 1 {
			t.Errorf("%d owners of one key, want 1", owners)
		}
	})
}

// TestASweepDeletesInBoundedBatchesOldestFirst: the sweep of expired keys
// runs in statements of at most the batch given (each a short write), keeps
// every record younger than the bound, and a key whose record went runs
// again as a new request. Purge loops such batches to the end.
func TestASweepDeletesInBoundedBatchesOldestFirst(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, _ := open(t)
		s := newStore(t, db, nil)
		ctx := context.Background()
		var recs []idempotency.Imported
		for i := range 25 {
			recs = append(recs, idempotency.Imported{Owner: "c", Key: fmt.Sprintf("old-%02d", i),
				Record:    idempotency.Record{RequestHash: "h", StatusCode: 202, Response: []byte("{}")},
				CreatedAt: t0.Add(time.Duration(i) * time.Minute)})
		}
		for i := range 3 {
			recs = append(recs, idempotency.Imported{Owner: "c", Key: fmt.Sprintf("new-%d", i),
				Record: idempotency.Record{RequestHash: "h", StatusCode: 202}, CreatedAt: t0.Add(72 * time.Hour)})
		}
		if err := s.Import(ctx, recs); err != nil {
			t.Fatal(err)
		}
		bound := t0.Add(71 * time.Hour)
		var got []int64
		for {
			n, err := s.PurgeSome(ctx, bound, 10)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, n)
			if n == 0 {
				break
			}
			// The oldest go first: after the first batch, old-00..09 are free.
			if len(got) == 1 {
				if rec, _ := s.Reserve(ctx, "c", "old-09", "h2", time.Minute); rec != nil {
					t.Errorf("old-09 after the first batch: %+v, want it purged", rec)
				}
				if rec, _ := s.Reserve(ctx, "c", "old-10", "h", time.Minute); rec == nil || rec.StatusCode != 202 {
					t.Errorf("old-10 after the first batch: %+v, want it still answered", rec)
				}
			}
		}
		// 10 + 10 + 5 expired, then none; old-09's new claim (made now) stays.
		if fmt.Sprint(got) != "[10 10 5 0]" {
			t.Errorf("batches deleted %v, want [10 10 5 0]", got)
		}
		for i := range 3 {
			if rec, _ := s.Reserve(ctx, "c", fmt.Sprintf("new-%d", i), "h", time.Minute); rec == nil {
				t.Errorf("new-%d was purged though younger than the bound", i)
			}
		}
		if rec, _ := s.Reserve(ctx, "c", "old-00", "h3", time.Minute); rec != nil {
			t.Errorf("a purged key: %+v, want it free for a new request", rec)
		}
		// Purge runs batches of PurgeBatch to the end.
		var many []idempotency.Imported
		for i := range idempotency.PurgeBatch + 7 {
			many = append(many, idempotency.Imported{Owner: "d", Key: fmt.Sprint(i),
				Record: idempotency.Record{RequestHash: "h"}, CreatedAt: t0})
		}
		if err := s.Import(ctx, many); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Purge(ctx, bound); err != nil || n != int64(idempotency.PurgeBatch+7) {
			t.Errorf("purge: %d, %v; want all %d expired", n, err, idempotency.PurgeBatch+7)
		}
	})
}
