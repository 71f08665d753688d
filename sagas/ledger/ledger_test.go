package ledger_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

func TestLedger(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		ctx := context.Background()
		db, another := open(t)
		l, err := ledger.New(ctx, db, false, nil, nil)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("an unknown step is not found", func(t *testing.T) {
			if _, _, _, err := l.Get(ctx, "25", "none"); !errors.Is(err, contracts.ErrNotFound) {
				t.Fatalf("Get = %v, want ErrNotFound", err)
			}
			if err := l.Done(ctx, "25", "none", "B-1"); !errors.Is(err, contracts.ErrNotFound) {
				t.Fatalf("Done = %v, want ErrNotFound", err)
			}
		})

		t.Run("begin records the intent once; done records the id once", func(t *testing.T) {
			created, err := l.Begin(ctx, "25", "k1", "S-1", "sess-1")
			if err != nil || !created {
				t.Fatalf("Begin = %v, %v", created, err)
			}
			created, err = l.Begin(ctx, "25", "k1", "S-9", "sess-9")
			if err != nil || created {
				t.Fatalf("second Begin = %v, %v, want not created", created, err)
			}
			slot, sess, id, err := l.Get(ctx, "25", "k1")
			if err != nil || slot != "S-1" || sess != "sess-1" || id != "" {
				t.Fatalf("Get = %q %q %q %v, want the first intent", slot, sess, id, err)
			}
			if err := l.Done(ctx, "25", "k1", "B-7"); err != nil {
				t.Fatal(err)
			}
			if err := l.Done(ctx, "25", "k1", "B-7"); err != nil {
				t.Fatalf("repeated Done = %v", err)
			}
			if err := l.Done(ctx, "25", "k1", "B-8"); !errors.Is(err, contracts.ErrConflict) {
				t.Fatalf("Done with another id = %v, want ErrConflict", err)
			}
			// A second handle (another instance) sees the same record.
			l2, err := ledger.New(ctx, another(), true, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, id, err := l2.Get(ctx, "25", "k1"); err != nil || id != "B-7" {
				t.Fatalf("Get from another handle = %q %v", id, err)
			}
		})

		t.Run("the same key in another region is another step", func(t *testing.T) {
			if created, err := l.Begin(ctx, "77", "k1", "S-2", "sess-2"); err != nil || !created {
				t.Fatalf("Begin = %v, %v", created, err)
			}
		})

		t.Run("concurrent begins of one key: exactly one creates", func(t *testing.T) {
			var wins atomic.Int32
			var wg sync.WaitGroup
			for range 10 {
				wg.Go(func() {
					created, err := l.Begin(ctx, "25", "race", "S-3", "sess-3")
					if err != nil {
						t.Error(err)
					}
					if created {
						wins.Add(1)
					}
				})
			}
			wg.Wait()
			if wins.Load() != 1 {
				t.Fatalf("%d begins created the entry, want 1", wins.Load())
			}
		})

		t.Run("bad input is refused", func(t *testing.T) {
			if _, err := l.Begin(ctx, "25", "k2", "", "sess"); !errors.Is(err, contracts.ErrInvalid) {
				t.Fatalf("Begin without slot = %v", err)
			}
		})
	})
}
