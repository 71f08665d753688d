package system_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/audit"
)

// A feed region has no MIS to call back: its operator's records are the
// callbacks. One booking is confirmed, moved (to a time moments away) and
// marked visited by the operator; each record goes through Kafka to the
// citizen's history with source operator, the move with both times.
func TestAFeedRegionsOperatorRecordsTheMoveAndTheVisitAsTheClinicsCallbacks(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 0))
	citizen, op := h.token("feed-vera"), h.operatorToken("op1", feedCode)
	stranger := h.operatorToken("op2", "77")
	slot := h.feedSlots(citizen, 1)[0]
	id := h.book(citizen, slot.ID)
	if r := h.operate(op, id, "status", `{"status":"cancelled","reason_code":"other"}`); r.status != http.StatusConflict {
		t.Fatalf("a record on a booking not yet confirmed: %d %s, want 409", r.status, r.body)
	}
	if r := h.operate(op, id, "confirm", `{"mis_appointment_id":"APT-31"}`); r.status != http.StatusOK {
		t.Fatalf("confirm: %d %s", r.status, r.body)
	}
	h.waitStatus(citizen, id, 5*time.Second, "confirmed")
	was := h.view(citizen, id, "en").Slot.Start

	if r := h.operate(op, id, "status", `{"status":"arrived"}`); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"code":"invalid-request"`) {
		t.Errorf("a bad status: %d %s, want a 400 problem", r.status, r.body)
	}
	if r := h.operate(stranger, id, "status", `{"status":"cancelled","reason_code":"other"}`); r.status != http.StatusNotFound {
		t.Errorf("another region's operator: %d %s, want 404", r.status, r.body)
	}

	newStart := time.Now().Add(3 * time.Second).UTC().Truncate(time.Second).Add(time.Second)
	move := fmt.Sprintf(`{"status":"moved","start":%q}`, newStart.Format(time.RFC3339))
	key := map[string]string{"Idempotency-Key": "move-" + id}
	first := h.call(http.MethodPost, "/api/v1/operator/bookings/"+id+"/status", op, move, key)
	if first.status != http.StatusAccepted {
		t.Fatalf("moved: %d %s", first.status, first.body)
	}
	v := h.until(citizen, id, "the move is in the history", func(v historyView) bool { return v.Slot.Start.Equal(newStart) })
	again := h.call(http.MethodPost, "/api/v1/operator/bookings/"+id+"/status", op, move, key)
	if again.status != http.StatusAccepted || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
		t.Fatalf("the same key again: %d %s", again.status, again.body)
	}
	last := v.Timeline[len(v.Timeline)-1]
	if v.Status != "confirmed" || last.Code != "moved_by_clinic" || last.Source != "operator" || last.PreviousStart == nil || !last.PreviousStart.Equal(was) {
		t.Fatalf("after the move: %s, last entry %+v; want both times, source operator", v.Status, last)
	}

	if r := h.operate(op, id, "status", `{"status":"visited"}`); r.status != http.StatusBadRequest {
		t.Errorf("visited before the new start: %d %s, want 400", r.status, r.body)
	}
	time.Sleep(time.Until(newStart) + 100*time.Millisecond)
	if r := h.operate(op, id, "status", `{"status":"visited"}`); r.status != http.StatusAccepted {
		t.Fatalf("visited: %d %s", r.status, r.body)
	}
	v = h.until(citizen, id, "the visit is in the history", func(v historyView) bool { return v.Status == "visited" })
	moves := 0
	for _, e := range v.Timeline {
		if e.Code == "moved_by_clinic" {
			moves++
		}
	}
	if last := v.Timeline[len(v.Timeline)-1]; last.Code != "visited" || last.Source != "operator" || moves != 1 {
		t.Fatalf("after the visit: %+v; want one move (the repeated key changed nothing) and the visit from the operator", v.Timeline)
	}
	if raw := h.call(http.MethodGet, "/api/v1/bookings/"+id, citizen, "", nil).body; strings.Contains(string(raw), "op1") {
		t.Errorf("the citizen's view names the operator: %s", raw)
	}
	recs, err := h.sys.Audit.List(t.Context(), audit.Filter{BookingID: id})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]bool{}
	for _, r := range recs {
		if r.Action == audit.OperatorClinicStatus && r.Status == http.StatusAccepted && r.Actor == "op1@"+feedCode {
			reasons[r.Reason] = true
		}
	}
	if !reasons["moved"] || !reasons["visited"] {
		t.Errorf("the audit trail's records of the operator's statuses: %v, want moved and visited", reasons)
	}
}
