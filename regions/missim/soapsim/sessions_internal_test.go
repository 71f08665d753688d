package soapsim

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/regions/soap"
)

// The map of sessions is not visible from outside: hence a test inside
// the package.
func TestExpiredSessionsAreDroppedAsNewOnesOpen(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, err := New(Config{Region: "16", Now: clock, SessionTTL: time.Minute}, nil)
	if err != nil {
		t.Fatal(err)
	}
	open := func(n int) {
		for i := range n {
			if _, f := s.patientInfo(&soap.GetPatientInfoRequest{OMSNumber: fmt.Sprintf("%016d", i)}); f != nil {
				t.Fatalf("GetPatientInfo: %+v", f)
			}
		}
	}
	open(sessionSweepEvery)
	mu.Lock()
	now = now.Add(2 * time.Minute) // every session so far has expired
	mu.Unlock()
	open(1)
	if n := len(s.sessions); n != 1 {
		t.Fatalf("%d sessions kept after the sweep, want only the one just opened", n)
	}
}
