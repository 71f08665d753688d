package web_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/fedhealth/federation/broker/web"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

// The store is what scs asks of it on both databases, and two instances
// over one database (two brokers behind a balancer) see one session.
func TestSessionsAreSharedThroughTheDatabase(t *testing.T) {
	var _ scs.CtxStore = (*web.SessionStore)(nil)
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		ctx := context.Background()
		db, _ := open(t)
		now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		a, err := web.NewSessionStore(ctx, db, false, clock, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := web.NewSessionStore(ctx, db, false, clock, nil) // a second instance migrates nothing more
		if err != nil {
			t.Fatal(err)
		}
		if err := a.CommitCtx(ctx, "tok-1", []byte("signed in"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, found, err := b.FindCtx(ctx, "tok-1"); err != nil || !found || string(got) != "signed in" {
			t.Fatalf("other instance finds %q %v %v, want the session", got, found, err)
		}
		if err := b.CommitCtx(ctx, "tok-1", []byte("renewed"), now.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := a.FindCtx(ctx, "tok-1"); string(got) != "renewed" {
			t.Errorf("after a second commit %q, want the new data", got)
		}
		if _, found, _ := a.FindCtx(ctx, "tok-unknown"); found {
			t.Error("an unknown token is found")
		}
		if err := a.CommitCtx(ctx, "tok-old", []byte("x"), now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		now = now.Add(90 * time.Minute)
		if _, found, _ := b.FindCtx(ctx, "tok-old"); found {
			t.Error("an expired session is found")
		}
		if n, err := a.Purge(ctx); err != nil || n != 1 {
			t.Errorf("purge deleted %d (%v), want the one expired", n, err)
		}
		if err := b.DeleteCtx(ctx, "tok-1"); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := a.FindCtx(ctx, "tok-1"); found {
			t.Error("a deleted session is found by the other instance")
		}
	})
}

// Concurrent commits of many sessions (a busy page) all land.
func TestConcurrentSessionsAllCommit(t *testing.T) {
	db, _ := sqldbtest.SQLite(t)
	ctx := context.Background()
	st, err := web.NewSessionStore(ctx, db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			errs <- st.Commit(string(rune('A'+i)), []byte{byte(i)}, time.Now().Add(time.Hour))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		if b, found, err := st.Find(string(rune('A' + i))); err != nil || !found || b[0] != byte(i) {
			t.Fatalf("session %d: %v %v %v", i, b, found, err)
		}
	}
}
