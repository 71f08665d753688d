package soapsim

import (
	"fmt"
	"testing"
	"time"

	"github.com/fedhealth/federation/regions/soap"
	"github.com/jonboulle/clockwork"
)

// The map of sessions is not visible from outside: hence a test inside
// the package.
func TestExpiredSessionsAreDroppedAsNewOnesOpen(t *testing.T) {
	clock := clockwork.NewFakeClock()
	s, err := New(Config{Region: "16", Now: clock.Now, SessionTTL: time.Minute}, nil)
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
	clock.Advance(2 * time.Minute) // every session so far has expired
	open(1)
	if n := len(s.sessions); n != 1 {
		t.Fatalf("%d sessions kept after the sweep, want only the one just opened", n)
	}
}
