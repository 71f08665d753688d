package conformance

import (
	"net/http"
	"net/url"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
)

var readRequirements = []requirement{
	{id: "FHIR-READ-01", title: "Appointment can be read by id", run: readAppointment},
	{id: "FHIR-READ-02", title: "Unknown appointment is answered 404 with an OperationOutcome", readOnly: true, run: readUnknown},
	{id: "FHIR-READ-03", title: "Appointment can be found by its hold key", run: findByHoldKey},
	{id: "FHIR-READ-04", title: "An unknown hold key finds nothing", readOnly: true, run: findUnknownKey},
}

func readAppointment(t kit.T, c *client) {
	_, a := c.booked(t)
	got := decode[misv2.Appointment](t, c.get(t, "/Appointment/"+a.ID), http.StatusOK, "read")
	if got.ID != a.ID || got.Status != misv2.StatusBooked || holdKey(got) != holdKey(a) {
		t.Errorf("read gave %s (%s, key %q), want %s (booked, key %q)", got.ID, got.Status, holdKey(got), a.ID, holdKey(a))
	}
}

func readUnknown(t kit.T, c *client) {
	refusal(t, c.get(t, "/Appointment/conformance-no-such-appointment"), http.StatusNotFound, "", "read of an unknown appointment")
}

// findQuery is GET /Appointment?identifier={IdempotencyKeySystem}|{key}.
func findQuery(key string) string {
	return "/Appointment?identifier=" + url.QueryEscape(misv2.IdempotencyKeySystem+"|"+key)
}

func findByHoldKey(t kit.T, c *client) {
	_, a := c.held(t)
	b := decode[misv2.Bundle](t, c.get(t, findQuery(holdKey(a))), http.StatusOK, "find by hold key")
	if b.Type != "searchset" || len(b.Entry) != 1 {
		t.Fatalf("find by hold key gave %d entries in a %q Bundle, want 1 in a searchset", len(b.Entry), b.Type)
	}
	got := decodeRaw[misv2.Appointment](t, b.Entry[0].Resource)
	if got.ID != a.ID || got.Status != misv2.StatusPending {
		t.Errorf("found %s (%s), want %s (pending)", got.ID, got.Status, a.ID)
	}
}

func findUnknownKey(t kit.T, c *client) {
	b := decode[misv2.Bundle](t, c.get(t, findQuery(c.key())), http.StatusOK, "find by unknown key")
	if len(b.Entry) != 0 || b.Total != 0 {
		t.Errorf("an unused key found %d entries (total %d), want none", len(b.Entry), b.Total)
	}
}
