package conformance

import (
	"net/http"
	"testing"

	"github.com/fedhealth/federation/contracts/misv1"
)

var cancelRequirements = []requirement{
	{"cancel releases a hold and frees the slot", cancelHold},
	{"cancel of a booking frees the slot", cancelBooking},
	{"cancel is idempotent", cancelIdempotent},
	{"cancel of an unknown appointment is answered 404", cancelUnknown},
}

func cancelHold(t *testing.T, c *client) {
	s, a := c.held(t)
	cancelFrees(t, c, s.ID, a.ID)
}

func cancelBooking(t *testing.T, c *client) {
	s, a := c.booked(t)
	cancelFrees(t, c, s.ID, a.ID)
}

// cancelFrees cancels and checks that the slot is free and can be held again.
func cancelFrees(t *testing.T, c *client, slotID, apptID string) {
	t.Helper()
	a := decode[misv1.Appointment](t, c.cancel(t, apptID, c.key()), http.StatusOK, "cancel")
	if a.Status != misv1.StatusCancelled {
		t.Errorf("status after cancel %q, want %q", a.Status, misv1.StatusCancelled)
	}
	if got := c.slotByID(t, slotID); got.Status != "free" {
		t.Errorf("slot %s reads %q after cancel, want free", slotID, got.Status)
	}
	again := decode[misv1.Appointment](t, c.hold(t, slotID, c.key()), http.StatusOK, "hold after cancel")
	c.releaseLater(t, again.ID)
	if again.ID == apptID {
		t.Errorf("a new hold on the freed slot reused appointment %s", apptID)
	}
}

func cancelIdempotent(t *testing.T, c *client) {
	_, a := c.booked(t)
	key := c.key()
	first := decode[misv1.Appointment](t, c.cancel(t, a.ID, key), http.StatusOK, "cancel")
	again := decode[misv1.Appointment](t, c.cancel(t, a.ID, key), http.StatusOK, "repeated cancel")
	other := decode[misv1.Appointment](t, c.cancel(t, a.ID, c.key()), http.StatusOK, "cancel with a new key")
	for _, got := range []misv1.Appointment{first, again, other} {
		if got.ID != a.ID || got.Status != misv1.StatusCancelled {
			t.Errorf("cancel answered %s (%s), want %s (cancelled)", got.ID, got.Status, a.ID)
		}
	}
}

func cancelUnknown(t *testing.T, c *client) {
	refusal(t, c.cancel(t, "conformance-no-such-appointment", c.key()), http.StatusNotFound, "", "cancel of an unknown appointment")
}
