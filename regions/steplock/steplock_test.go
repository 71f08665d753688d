package steplock_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedhealth/federation/regions/steplock"
)

func TestHoldersOfOneKeyNeverOverlap(t *testing.T) {
	var l steplock.Locks
	var inside, overlaps atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 50 {
				unlock := l.Lock("saga-1/hold")
				if inside.Add(1) > 1 {
					overlaps.Add(1)
				}
				time.Sleep(10 * time.Microsecond)
				inside.Add(-1)
				unlock()
			}
		})
	}
	wg.Wait()
	if n := overlaps.Load(); n != 0 {
		t.Fatalf("%d times two holders of one key were inside at once", n)
	}
}

func TestAReleasedKeyCanBeTakenAgain(t *testing.T) {
	var l steplock.Locks
	l.Lock("k")()
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Lock("k")()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a released key could not be locked again")
	}
}

func TestAHeldKeyMakesTheNextHolderWait(t *testing.T) {
	var l steplock.Locks
	unlock := l.Lock("k")
	got := make(chan struct{})
	go func() {
		l.Lock("k")()
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("a second holder got a held key")
	case <-time.After(50 * time.Millisecond):
	}
	unlock()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting holder never got the key")
	}
}
