package api

import (
	"net/http"
	"strings"
	"testing"
)

func TestACitizenHoldsTenActiveBookingsWhenNoCapIsConfigured(t *testing.T) {
	a := newWholeAPI(t) // bookings.Config.MaxActivePerCitizen not set: DefaultMaxActivePerCitizen
	citizen := a.citizen(t, "cap-olga")
	for n := 1; n <= 10; n++ { // issue 10: a cap of 10 by default
		a.book(t, citizen, n) // pending, in the operators' queue: active
	}
	r := a.call(t, citizen, http.MethodPost, "/api/v1/bookings", `{"slot_id":"27:S-11"}`)
	if r.status != http.StatusConflict || r.code != "too-many-active-bookings" || !strings.Contains(string(r.body), "10 active bookings") {
		t.Fatalf("the 11th active booking: %d %s, want 409 too-many-active-bookings naming the cap of 10", r.status, r.body)
	}
	// Another citizen is not held to the first one's count.
	a.book(t, a.citizen(t, "cap-pavel"), 11)
}
