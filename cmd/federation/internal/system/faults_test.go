package system_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/sagas"
)

func regionStatus(h *harness, code string) string {
	var regs []struct{ Code, Status string }
	h.mustJSON(h.call(http.MethodGet, "/api/v1/regions", "", "", nil), http.StatusOK, &regs)
	for _, r := range regs {
		if r.Code == code {
			return r.Status
		}
	}
	h.t.Fatalf("region %s not listed", code)
	return ""
}

func waitRegionStatus(h *harness, code, want string, timeout time.Duration) {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for regionStatus(h, code) != want {
		if time.Now().After(deadline) {
			h.t.Fatalf("region %s is %s after %s, want %s", code, regionStatus(h, code), timeout, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestARegionThatIsDownWaitsDurablyWhileOtherRegionsConfirm(t *testing.T) {
	h := newHarness(t, 3, nil)
	tok := h.token("pavel")
	downSlots := h.freeSlots(tok, "16", 3) // shown to the citizen while the region was up
	h.faults("16", missim.Faults{Down: true})
	var waiting []string
	for _, s := range downSlots {
		waiting = append(waiting, h.book(tok, s.ID))
	}
	waitRegionStatus(h, "16", "unavailable", 20*time.Second)
	if r := h.call(http.MethodGet, "/api/v1/slots?region=16", tok, "", nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("slot search in a region that is down: %d %s, want 503 problem", r.status, r.body)
	}

	// The other regions are not held up: their bookings confirm while
	// region 16's still wait.
	for _, region := range []string{"77", "78"} {
		for _, s := range h.freeSlots(tok, region, 3) {
			h.waitStatus(tok, h.book(tok, s.ID), 5*time.Second, "confirmed")
		}
	}
	for _, id := range waiting {
		if b := h.booking(tok, id); b.Status != "pending" {
			t.Errorf("booking %s in the region that is down is %s, want pending", id, b.Status)
		}
	}

	h.faults("16", missim.Faults{})
	for _, id := range waiting {
		h.waitStatus(tok, id, 30*time.Second, "confirmed")
	}
	waitRegionStatus(h, "16", "available", 10*time.Second)
	if n := countStatus(h.appointments("16"), "booked"); n != len(waiting) {
		t.Errorf("region 16 holds %d booked appointments, want %d", n, len(waiting))
	}
}

func TestABookingPastItsDeadlineFailsAndWhatTheClinicDidLateIsUndone(t *testing.T) {
	h := newHarness(t, 1, func(o *system.Options) {
		o.BookingDeadline = 2 * time.Second
		o.Regions[0].MIS.CallTimeout = 300 * time.Millisecond
	})
	tok := h.token("irina")
	slot := h.freeSlots(tok, "77", 1)[0]
	// The clinic takes every hold, then never answers, nor can the hold be
	// read back.
	h.faults("77", missim.Faults{TimeoutAfterCommitRate: 1, ReadErrorRate: 1})
	id := h.book(tok, slot.ID)
	b := h.waitStatus(tok, id, 15*time.Second, "failed")
	if b.Reason != sagas.ReasonDeadline {
		t.Errorf("reason %q, want the deadline's", b.Reason)
	}
	h.faults("77", missim.Faults{})
	deadline := time.Now().Add(15 * time.Second)
	for live(h.appointments("77")) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the clinic still holds %+v for a failed booking", h.appointments("77"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(h.appointments("77")) == 0 {
		t.Error("the clinic never saw the hold: the test did not exercise a late effect")
	}
}

// live counts holds and appointments that still occupy a slot.
func live(appts []missim.AdminAppointment) int {
	return countStatus(appts, "pending") + countStatus(appts, "booked")
}

func TestClinicsThatCommitAndThenTimeOutNeverGetTwoAppointmentsForOneBooking(t *testing.T) {
	h := newHarness(t, 1, func(o *system.Options) { o.Regions[0].MIS.CallTimeout = 300 * time.Millisecond })
	tok := h.token("gleb")
	slots := h.freeSlots(tok, "77", 12)
	h.faults("77", missim.Faults{TimeoutAfterCommitRate: 0.3})
	var ids []string
	for _, s := range slots {
		ids = append(ids, h.book(tok, s.ID))
	}
	final := map[string]string{}
	for _, id := range ids {
		final[id] = h.waitStatus(tok, id, 60*time.Second, "confirmed", "rejected", "failed").Status
	}
	h.faults("77", missim.Faults{})
	assertOneAppointmentPerConfirmedBooking(t, h, "77", final)
}

// assertOneAppointmentPerConfirmedBooking checks the clinic against the
// history: every confirmed booking has exactly one booked appointment, no
// other booking has anything live, and no slot is booked twice.
func assertOneAppointmentPerConfirmedBooking(t *testing.T, h *harness, region string, final map[string]string) {
	t.Helper()
	perBooking, perSlot := map[string]int{}, map[string]int{}
	for _, a := range h.appointments(region) {
		if a.Status == "booked" || a.Status == "pending" {
			perBooking[a.HoldKey]++
			perSlot[a.SlotID]++
		}
	}
	for id, status := range final {
		want := 0
		if status == "confirmed" {
			want = 1
		}
		if got := perBooking[sagas.IdempotencyKey(id, sagas.StepHold)]; got != want {
			t.Errorf("booking %s is %s and has %d live appointments at the clinic, want %d", id, status, got, want)
		}
	}
	for slot, n := range perSlot {
		if n > 1 {
			t.Errorf("slot %s has %d live appointments", slot, n)
		}
	}
}

func TestTheSystemStoppedMidSagaFinishesEveryBookingAfterARestart(t *testing.T) {
	h := newHarness(t, 2, nil)
	tok := h.token("vera")
	slots := append(h.freeSlots(tok, "77", 6), h.freeSlots(tok, "78", 6)...)
	h.faults("77", missim.Faults{LatencyMS: 150})
	h.faults("78", missim.Faults{LatencyMS: 150})
	var ids []string
	for _, s := range slots {
		ids = append(ids, h.book(tok, s.ID))
	}
	time.Sleep(200 * time.Millisecond) // some sagas are mid-step now
	h.restart()
	tok = h.token("vera") // the demo issuer's keys do not survive a restart; the citizen's history does
	h.faults("77", missim.Faults{})
	h.faults("78", missim.Faults{})
	final := map[string]map[string]string{"77": {}, "78": {}}
	for i, id := range ids {
		b := h.waitStatus(tok, id, 30*time.Second, "confirmed", "rejected", "failed")
		final[slots[i].Region][id] = b.Status
		if b.Status != "confirmed" {
			t.Errorf("booking %s ended %s (%s) after the restart, want confirmed", id, b.Status, b.Reason)
		}
	}
	for region, f := range final {
		assertOneAppointmentPerConfirmedBooking(t, h, region, f)
	}
}

func TestAPoisonMessageGoesToTheDeadLetterTopicAndTheRegionKeepsWorking(t *testing.T) {
	h := newHarness(t, 1, nil)
	tok := h.token("lev")
	pub := h.publisher()
	h.publishRaw(pub, "fed.saga.r77.v1", []byte("{not json"))
	h.publishRaw(pub, "fed.saga.r77.v1", []byte(`{"v":1,"saga_id":"no-such-booking","kind":"booking","region":"77"}`))
	id := h.book(tok, h.freeSlots(tok, "77", 1)[0].ID)
	h.waitStatus(tok, id, 10*time.Second, "confirmed")
	reasons := h.deadLetters(2, 10*time.Second)
	for _, r := range reasons {
		if r == "" {
			t.Error("a dead letter carries no reason")
		}
	}
}

func TestACommandDeliveredTwiceMakesOneAppointment(t *testing.T) {
	h := newHarness(t, 1, nil)
	tok := h.token("nina")
	h.faults("77", missim.Faults{LatencyMS: 30})
	id := h.book(tok, h.freeSlots(tok, "77", 1)[0].ID)
	cmd, _ := json.Marshal(map[string]any{"v": 1, "saga_id": id, "kind": "booking", "region": "77"})
	pub := h.publisher()
	h.publishRaw(pub, "fed.saga.r77.v1", cmd) // while the first delivery is under way
	h.waitStatus(tok, id, 10*time.Second, "confirmed")
	h.publishRaw(pub, "fed.saga.r77.v1", cmd) // after the saga ended
	// Give the duplicates time to be consumed: more bookings in the region
	// confirm, some of them behind the duplicates in their partition.
	for _, s := range h.freeSlots(tok, "77", 4) {
		h.waitStatus(tok, h.book(tok, s.ID), 10*time.Second, "confirmed")
	}
	time.Sleep(300 * time.Millisecond)
	if got := perHoldKey(h.appointments("77"), sagas.IdempotencyKey(id, sagas.StepHold)); got != 1 {
		t.Errorf("booking delivered three times has %d appointments at the clinic, want 1", got)
	}
	if b := h.booking(tok, id); b.Status != "confirmed" {
		t.Errorf("status %s after duplicates, want confirmed", b.Status)
	}
}

func perHoldKey(appts []missim.AdminAppointment, key string) int {
	n := 0
	for _, a := range appts {
		if a.HoldKey == key {
			n++
		}
	}
	return n
}
