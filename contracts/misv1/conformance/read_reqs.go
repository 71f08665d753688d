package conformance

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/fedhealth/federation/contracts/misv1"
)

var readRequirements = []requirement{
	{"appointment can be read by id", readAppointment},
	{"unknown appointment is answered 404 with an OperationOutcome", readUnknown},
	{"appointment can be found by its hold key", findByHoldKey},
	{"an unknown hold key finds nothing", findUnknownKey},
}

func readAppointment(t *testing.T, c *client) {
	_, a := c.booked(t)
	got := decode[misv1.Appointment](t, c.get(t, "/Appointment/"+a.ID), http.StatusOK, "read")
	if got.ID != a.ID || got.Status != misv1.StatusBooked || holdKey(got) != holdKey(a) {
		t.Errorf("read gave %s (%s, key %q), want %s (booked, key %q)", got.ID, got.Status, holdKey(got), a.ID, holdKey(a))
	}
}

func readUnknown(t *testing.T, c *client) {
	refusal(t, c.get(t, "/Appointment/conformance-no-such-appointment"), http.StatusNotFound, "", "read of an unknown appointment")
}

// findQuery is GET /Appointment?identifier={IdempotencyKeySystem}|{key}.
func findQuery(key string) string {
	return "/Appointment?identifier=" + url.QueryEscape(misv1.IdempotencyKeySystem+"|"+key)
}

func findByHoldKey(t *testing.T, c *client) {
	_, a := c.held(t)
	b := decode[misv1.Bundle](t, c.get(t, findQuery(holdKey(a))), http.StatusOK, "find by hold key")
	if b.Type != "searchset" || len(b.Entry) != 1 {
		t.Fatalf("find by hold key gave %d entries in a %q Bundle, want 1 in a searchset", len(b.Entry), b.Type)
	}
	got := decodeRaw[misv1.Appointment](t, b.Entry[0].Resource)
	if got.ID != a.ID || got.Status != misv1.StatusPending {
		t.Errorf("found %s (%s), want %s (pending)", got.ID, got.Status, a.ID)
	}
}

func findUnknownKey(t *testing.T, c *client) {
	b := decode[misv1.Bundle](t, c.get(t, findQuery(c.key())), http.StatusOK, "find by unknown key")
	if len(b.Entry) != 0 || b.Total != 0 {
		t.Errorf("an unused key found %d entries (total %d), want none", len(b.Entry), b.Total)
	}
}
