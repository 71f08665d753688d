package missim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/missim"
)

func TestHoldExpiresAfterTTL(t *testing.T) {
	s := newSim(t, missim.Config{Region: "77", HoldTTL: 2 * time.Minute})
	slotID := s.freeSlot(t, 0)
	status, a, _ := s.hold(t, slotID, "h-1")
	if status != http.StatusOK {
		t.Fatalf("hold: %d", status)
	}
	s.advance(2*time.Minute + time.Second)

	var read misv2.Appointment
	s.get(t, "/Appointment/"+a.ID, &read)
	if read.Status != misv2.StatusCancelled {
		t.Errorf("a lapsed hold reads %q, want cancelled", read.Status)
	}
	var oo misv2.OperationOutcome
	if st := s.post(t, t.Context(), "/Appointment/"+a.ID+"/$book", "b-1", nil, &oo); st != http.StatusConflict || oo.RefusalCode() != misv2.RefusalHoldExpired {
		t.Errorf("book after expiry: %d %q, want 409 hold-expired", st, oo.RefusalCode())
	}
	if got := adminStatus(s, a.ID); got != "expired" {
		t.Errorf("admin status %q, want expired", got)
	}
	if st, b, _ := s.hold(t, slotID, "h-2"); st != http.StatusOK || b.ID == a.ID {
		t.Errorf("hold on the freed slot: %d %s, want 200 and a new appointment", st, b.ID)
	}
}

func TestHoldCanBeBookedBeforeItExpires(t *testing.T) {
	s := newSim(t, missim.Config{Region: "77", HoldTTL: 2 * time.Minute})
	_, a, _ := s.hold(t, s.freeSlot(t, 0), "h-1")
	s.advance(2*time.Minute - time.Second)
	var booked misv2.Appointment
	if st := s.post(t, t.Context(), "/Appointment/"+a.ID+"/$book", "b-1", nil, &booked); st != http.StatusOK || booked.Status != misv2.StatusBooked {
		t.Fatalf("book just before expiry: %d %q", st, booked.Status)
	}
	s.advance(time.Hour)
	if got := adminStatus(s, a.ID); got != misv2.StatusBooked {
		t.Errorf("a booking must not expire; admin status %q", got)
	}
}

func TestExpiredHoldIsStillFoundByItsKey(t *testing.T) {
	s := newSim(t, missim.Config{Region: "77"})
	_, a, _ := s.hold(t, s.freeSlot(t, 0), "h-1")
	s.advance(10 * time.Minute)
	var b misv2.Bundle
	s.get(t, "/Appointment?identifier="+misv2.IdempotencyKeySystem+"|h-1", &b)
	if len(b.Entry) != 1 {
		t.Fatalf("found %d appointments by hold key, want 1", len(b.Entry))
	}
	if st, again, _ := s.hold(t, a.Slot[0].Reference[len("Slot/"):], "h-1"); st != http.StatusOK || again.ID != a.ID {
		t.Errorf("repeat of the first hold: %d %s, want 200 %s", st, again.ID, a.ID)
	}
}

func adminStatus(s *sim, id string) string {
	for _, a := range s.Appointments() {
		if a.ID == id {
			return a.Status
		}
	}
	return ""
}
