package missim_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/missim"
)

// TestNeverTwoLiveAppointmentsOnOneSlot races holds, books and cancels from
// many goroutines over a few slots and then checks the ledger.
func TestNeverTwoLiveAppointmentsOnOneSlot(t *testing.T) {
	s := newSim(t, missim.Config{Region: "78"})
	slots := []string{s.freeSlot(t, 0), s.freeSlot(t, 1), s.freeSlot(t, 2)}
	var wg sync.WaitGroup
	for g := range 48 {
		wg.Go(func() {
			for i := range 10 {
				slotID := slots[(g+i)%len(slots)]
				var a misv2.Appointment
				key := fmt.Sprintf("g%d-%d", g, i)
				if s.post(t, context.Background(), "/Appointment/$hold", key, holdBody(slotID), &a) != http.StatusOK {
					continue
				}
				op := []string{"$book", "$cancel"}[i%2]
				s.post(t, context.Background(), "/Appointment/"+a.ID+"/"+op, key+op, nil, nil)
			}
		})
	}
	wg.Wait()
	live := map[string]int{}
	for _, a := range s.Appointments() {
		if a.Status == misv2.StatusPending || a.Status == misv2.StatusBooked {
			live[a.SlotID]++
		}
	}
	for slotID, n := range live {
		if n > 1 {
			t.Errorf("slot %s has %d live appointments", slotID, n)
		}
	}
}

func TestKeyReusedForAnotherOperationIsRefused(t *testing.T) {
	s := newSim(t, missim.Config{Region: "78"})
	_, a, _ := s.hold(t, s.freeSlot(t, 0), "k")
	var oo misv2.OperationOutcome
	if st := s.post(t, t.Context(), "/Appointment/"+a.ID+"/$book", "k", nil, &oo); st != http.StatusUnprocessableEntity {
		t.Errorf("book with the hold's key: %d, want 422", st)
	}
}
