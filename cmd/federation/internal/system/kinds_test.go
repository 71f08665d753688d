package system_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/breaker"
)

// A region of the e-registry SOAP style beside a FHIR one: a citizen finds,
// books and cancels its slots through the same API, and the clinic's system
// sees one appointment, booked, then cancelled.
func TestASOAPRegionIsBookedAndCancelledLikeAnyOther(t *testing.T) {
	sim, srv := startSOAPSim(t, 3)
	h := newHarness(t, 1, func(o *system.Options) {
		o.Regions = append(o.Regions, soapRegion(srv.URL, 2*time.Second, breaker.Config{MaxConcurrent: 16}))
	})
	var regs []struct{ Code, Kind string }
	h.mustJSON(h.call(http.MethodGet, "/api/v1/regions", "", "", nil), http.StatusOK, &regs)
	kinds := map[string]string{}
	for _, r := range regs {
		kinds[r.Code] = r.Kind
	}
	if kinds["41"] != "soap" || kinds["77"] != "fhir" {
		t.Errorf("regions' kinds %v, want 41 soap and 77 fhir", kinds)
	}

	tok := h.token("kamchadal")
	slot := h.freeSlots(tok, "41", 1)[0]
	if _, off := slot.Start.Zone(); off != 12*3600 {
		t.Errorf("a Kamchatka slot at offset %ds, want +12h", off)
	}
	id := h.book(tok, slot.ID)
	h.waitStatus(tok, id, 10*time.Second, "confirmed")
	if appts := sim.Appointments(); len(appts) != 1 || !strings.EqualFold(appts[0].Status, "booked") {
		t.Fatalf("the SOAP MIS holds %+v, want one booked appointment", appts)
	}
	if r := h.call(http.MethodPost, "/api/v1/bookings/"+id+"/cancel", tok, "", map[string]string{"Idempotency-Key": "kam-cancel"}); r.status != http.StatusAccepted {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	h.waitStatus(tok, id, 10*time.Second, "cancelled")
	if appts := sim.Appointments(); len(appts) != 1 || !strings.EqualFold(appts[0].Status, "cancelled") {
		t.Errorf("after the cancel the SOAP MIS holds %+v, want the one appointment cancelled", appts)
	}
}

// A region of the city JSON-RPC style: the same booking and cancellation,
// the patient known to its MIS by OMS policy and birth date.
func TestAJSONRPCRegionIsBookedAndCancelledLikeAnyOther(t *testing.T) {
	sim, srv := startRPCSim(t, 4)
	h := newHarness(t, 1, func(o *system.Options) {
		o.Regions = append(o.Regions, jsonrpcRegion(srv.URL, 2*time.Second, breaker.Config{MaxConcurrent: 16}))
	})
	tok := h.token("moskvich")
	slot := h.freeSlots(tok, "50", 1)[0]
	id := h.book(tok, slot.ID)
	h.waitStatus(tok, id, 10*time.Second, "confirmed")
	if appts := sim.Appointments(); len(appts) != 1 || !strings.EqualFold(appts[0].Status, "booked") {
		t.Fatalf("the JSON-RPC MIS holds %+v, want one booked appointment", appts)
	}
	if r := h.call(http.MethodPost, "/api/v1/bookings/"+id+"/cancel", tok, "", map[string]string{"Idempotency-Key": "mo-cancel"}); r.status != http.StatusAccepted {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	h.waitStatus(tok, id, 10*time.Second, "cancelled")
	if appts := sim.Appointments(); len(appts) != 1 || !strings.EqualFold(appts[0].Status, "cancelled") {
		t.Errorf("after the cancel the JSON-RPC MIS holds %+v, want the one appointment cancelled", appts)
	}
}
