package conformance

import (
	"net/http"
	"testing"

	"github.com/fedhealth/federation/contracts/misv1"
)

var bookRequirements = []requirement{
	{"book turns a hold into a booked appointment", bookHeld},
	{"repeated book with the same key returns the same booking", bookRepeat},
	{"book after cancel is refused with hold-expired", bookAfterCancel},
	{"book without an Idempotency-Key is refused as invalid", bookNoKey},
	{"book of an unknown appointment is answered 404", bookUnknown},
}

func bookHeld(t *testing.T, c *client) {
	s, a := c.booked(t)
	if a.Status != misv1.StatusBooked {
		t.Errorf("status %q, want %q", a.Status, misv1.StatusBooked)
	}
	if len(a.Slot) != 1 || a.Slot[0].Reference != "Slot/"+s.ID {
		t.Errorf("slot %+v, want Slot/%s", a.Slot, s.ID)
	}
	if got := c.slotByID(t, s.ID); got.Status != "busy" {
		t.Errorf("booked slot %s reads with status %q, want busy", s.ID, got.Status)
	}
}

func bookRepeat(t *testing.T, c *client) {
	_, a := c.held(t)
	key := c.key()
	first := decode[misv1.Appointment](t, c.book(t, a.ID, key), http.StatusOK, "book")
	again := decode[misv1.Appointment](t, c.book(t, a.ID, key), http.StatusOK, "repeated book")
	if again.ID != first.ID || again.Status != misv1.StatusBooked {
		t.Errorf("repeat gave %s (%s), want %s (booked)", again.ID, again.Status, first.ID)
	}
}

func bookAfterCancel(t *testing.T, c *client) {
	_, a := c.held(t)
	decode[misv1.Appointment](t, c.cancel(t, a.ID, c.key()), http.StatusOK, "cancel")
	refusal(t, c.book(t, a.ID, c.key()), http.StatusConflict, misv1.RefusalHoldExpired, "book of a released hold")
}

func bookNoKey(t *testing.T, c *client) {
	_, a := c.held(t)
	refusal(t, c.book(t, a.ID, ""), http.StatusBadRequest, "", "book without Idempotency-Key")
}

func bookUnknown(t *testing.T, c *client) {
	refusal(t, c.book(t, "conformance-no-such-appointment", c.key()), http.StatusNotFound, "", "book of an unknown appointment")
}
