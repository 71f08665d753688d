package conformance

import (
	"net/http"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
)

var bookRequirements = []requirement{
	{id: "FHIR-BOOK-01", title: "Book turns a hold into a booked appointment", run: bookHeld},
	{id: "FHIR-BOOK-02", title: "Repeated book with the same key returns the same booking", run: bookRepeat},
	{id: "FHIR-BOOK-03", title: "Book after cancel is refused with hold-expired", run: bookAfterCancel},
	{id: "FHIR-BOOK-04", title: "Book without an Idempotency-Key is refused as invalid", run: bookNoKey},
	{id: "FHIR-BOOK-05", title: "Book of an unknown appointment is answered 404", run: bookUnknown},
}

func bookHeld(t kit.T, c *client) {
	s, a := c.booked(t)
	if a.Status != misv2.StatusBooked {
		t.Errorf("status %q, want %q", a.Status, misv2.StatusBooked)
	}
	if len(a.Slot) != 1 || a.Slot[0].Reference != "Slot/"+s.ID {
		t.Errorf("slot %+v, want Slot/%s", a.Slot, s.ID)
	}
	if got := c.slotByID(t, s.ID); got.Status != "busy" {
		t.Errorf("booked slot %s reads with status %q, want busy", s.ID, got.Status)
	}
}

func bookRepeat(t kit.T, c *client) {
	_, a := c.held(t)
	key := c.key()
	first := decode[misv2.Appointment](t, c.book(t, a.ID, key), http.StatusOK, "book")
	again := decode[misv2.Appointment](t, c.book(t, a.ID, key), http.StatusOK, "repeated book")
	if again.ID != first.ID || again.Status != misv2.StatusBooked {
		t.Errorf("repeat gave %s (%s), want %s (booked)", again.ID, again.Status, first.ID)
	}
}

func bookAfterCancel(t kit.T, c *client) {
	_, a := c.held(t)
	decode[misv2.Appointment](t, c.cancel(t, a.ID, c.key()), http.StatusOK, "cancel")
	refusal(t, c.book(t, a.ID, c.key()), http.StatusConflict, misv2.RefusalHoldExpired, "book of a released hold")
}

func bookNoKey(t kit.T, c *client) {
	_, a := c.held(t)
	r := c.callOffContract(t, http.MethodPost, "/Appointment/"+a.ID+"/$book", "", nil)
	refusal(t, r, http.StatusBadRequest, "", "book without Idempotency-Key")
}

func bookUnknown(t kit.T, c *client) {
	refusal(t, c.book(t, "conformance-no-such-appointment", c.key()), http.StatusNotFound, "", "book of an unknown appointment")
}
