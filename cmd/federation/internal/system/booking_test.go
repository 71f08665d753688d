package system_test

import (
	"net/http"
	"testing"
	"time"
)

func TestBookingsInSeveralRegionsAreConfirmedAndListedNewestFirst(t *testing.T) {
	h := newHarness(t, 5, nil)
	tok := h.token("ivan")
	var ids []string
	for _, region := range []string{"77", "54", "25"} {
		slot := h.freeSlots(tok, region, 1)[0]
		ids = append(ids, h.book(tok, slot.ID))
	}
	for _, id := range ids {
		b := h.waitStatus(tok, id, 10*time.Second, "confirmed")
		if len(b.Timeline) < 3 || b.Timeline[len(b.Timeline)-1].Status != "confirmed" {
			t.Errorf("booking %s timeline %+v, want it to end confirmed", id, b.Timeline)
		}
	}
	var history struct{ Bookings []bookingView }
	h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings", tok, "", nil), http.StatusOK, &history)
	if len(history.Bookings) != 3 {
		t.Fatalf("history has %d bookings, want 3", len(history.Bookings))
	}
	for i, b := range history.Bookings {
		if want := ids[len(ids)-1-i]; b.ID != want {
			t.Errorf("history[%d] = %s, want %s (newest first)", i, b.ID, want)
		}
	}
	// Times are shown in the region's own zone: Primorsky is UTC+10.
	if _, off := history.Bookings[0].Slot.Start.Zone(); off != 10*3600 {
		t.Errorf("Primorsky slot offset %ds, want +10h", off)
	}
	for _, region := range []string{"77", "54", "25"} {
		if n := countStatus(h.appointments(region), "booked"); n != 1 {
			t.Errorf("region %s simulator holds %d booked appointments, want 1", region, n)
		}
	}
}

func TestATakenSlotIsRejectedWithAReasonAndNothingIsLeftHeld(t *testing.T) {
	h := newHarness(t, 1, nil)
	anna, boris := h.token("anna"), h.token("boris")
	slot := h.freeSlots(anna, "77", 1)[0]
	first := h.book(anna, slot.ID)
	h.waitStatus(anna, first, 10*time.Second, "confirmed")
	second := h.book(boris, slot.ID)
	b := h.waitStatus(boris, second, 10*time.Second, "rejected")
	if b.Reason == "" {
		t.Error("a rejected booking carries no reason for the citizen")
	}
	appts := h.appointments("77")
	if len(appts) != 1 || appts[0].Status != "booked" {
		t.Errorf("simulator appointments %+v, want exactly the first booking's", appts)
	}
}

func TestCancellingAConfirmedBookingCancelsItAtTheClinic(t *testing.T) {
	h := newHarness(t, 1, nil)
	tok := h.token("olga")
	id := h.book(tok, h.freeSlots(tok, "77", 1)[0].ID)
	h.waitStatus(tok, id, 10*time.Second, "confirmed")
	r := h.call(http.MethodPost, "/api/v1/bookings/"+id+"/cancel", tok, "", nil)
	if r.status != http.StatusAccepted {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	h.waitStatus(tok, id, 10*time.Second, "cancelled")
	if n := countStatus(h.appointments("77"), "booked"); n != 0 {
		t.Errorf("%d appointments still booked at the clinic after cancellation", n)
	}
	// Cancelling again is harmless.
	if r := h.call(http.MethodPost, "/api/v1/bookings/"+id+"/cancel", tok, "", nil); r.status != http.StatusAccepted {
		t.Errorf("second cancel: %d %s", r.status, r.body)
	}
}

func TestACitizenCannotSeeOrCancelAnotherCitizensBooking(t *testing.T) {
	h := newHarness(t, 1, nil)
	anna, boris := h.token("anna"), h.token("boris")
	id := h.book(anna, h.freeSlots(anna, "77", 1)[0].ID)
	h.waitStatus(anna, id, 10*time.Second, "confirmed")
	for name, r := range map[string]response{
		"read":   h.call(http.MethodGet, "/api/v1/bookings/"+id, boris, "", nil),
		"cancel": h.call(http.MethodPost, "/api/v1/bookings/"+id+"/cancel", boris, "", nil),
	} {
		if r.status != http.StatusNotFound || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s by another citizen: %d %s, want 404 problem+json", name, r.status, r.header.Get("Content-Type"))
		}
	}
	var history struct{ Bookings []bookingView }
	h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings", boris, "", nil), http.StatusOK, &history)
	if len(history.Bookings) != 0 {
		t.Errorf("boris sees %d bookings, want none", len(history.Bookings))
	}
	if h.booking(anna, id).Status != "confirmed" {
		t.Error("anna's booking changed after boris tried to cancel it")
	}
	if r := h.call(http.MethodGet, "/api/v1/bookings", "", "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("history without a token: %d, want 401", r.status)
	}
}
