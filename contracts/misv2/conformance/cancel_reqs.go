package conformance

import (
	"net/http"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
)

var cancelRequirements = []requirement{
	{id: "FHIR-CANCEL-01", title: "Cancel releases a hold and frees the slot", run: cancelHold},
	{id: "FHIR-CANCEL-02", title: "Cancel of a booking frees the slot", run: cancelBooking},
	{id: "FHIR-CANCEL-03", title: "Cancel is idempotent", run: cancelIdempotent},
	{id: "FHIR-CANCEL-04", title: "Cancel of an unknown appointment is answered 404", run: cancelUnknown},
}

func cancelHold(t kit.T, c *client) {
	s, a := c.held(t)
	cancelFrees(t, c, s.ID, a.ID)
}

func cancelBooking(t kit.T, c *client) {
	s, a := c.booked(t)
	cancelFrees(t, c, s.ID, a.ID)
}

// cancelFrees cancels and checks that the slot is free and can be held again.
func cancelFrees(t kit.T, c *client, slotID, apptID string) {
	t.Helper()
	a := decode[misv2.Appointment](t, c.cancel(t, apptID, c.key()), http.StatusOK, "cancel")
	if a.Status != misv2.StatusCancelled {
		t.Errorf("status after cancel %q, want %q", a.Status, misv2.StatusCancelled)
	}
	if got := c.slotByID(t, slotID); got.Status != "free" {
		t.Errorf("slot %s reads %q after cancel, want free", slotID, got.Status)
	}
	again := decode[misv2.Appointment](t, c.hold(t, slotID, c.key()), http.StatusOK, "hold after cancel")
	c.releaseLater(t, again.ID)
	if again.ID == apptID {
		t.Errorf("a new hold on the freed slot reused appointment %s", apptID)
	}
}

func cancelIdempotent(t kit.T, c *client) {
	_, a := c.booked(t)
	key := c.key()
	first := decode[misv2.Appointment](t, c.cancel(t, a.ID, key), http.StatusOK, "cancel")
	again := decode[misv2.Appointment](t, c.cancel(t, a.ID, key), http.StatusOK, "repeated cancel")
	other := decode[misv2.Appointment](t, c.cancel(t, a.ID, c.key()), http.StatusOK, "cancel with a new key")
	for _, got := range []misv2.Appointment{first, again, other} {
		if got.ID != a.ID || got.Status != misv2.StatusCancelled {
			t.Errorf("cancel answered %s (%s), want %s (cancelled)", got.ID, got.Status, a.ID)
		}
	}
}

func cancelUnknown(t kit.T, c *client) {
	refusal(t, c.cancel(t, "conformance-no-such-appointment", c.key()), http.StatusNotFound, "", "cancel of an unknown appointment")
}
