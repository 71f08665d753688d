package system_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/fedhealth/federation/regions/missim"
)

func TestRetryingABookingWithTheSameKeyGivesTheFirstAnswer(t *testing.T) {
	h := newHarness(t, 1, nil)
	tok := h.token("marina")
	slots := h.freeSlots(tok, "77", 2)
	body := fmt.Sprintf(`{"slot_id":%q}`, slots[0].ID)
	key := map[string]string{"Idempotency-Key": "retry-1"}

	first := h.call(http.MethodPost, "/api/v1/bookings", tok, body, key)
	again := h.call(http.MethodPost, "/api/v1/bookings", tok, body, key)
	if first.status != http.StatusAccepted || again.status != http.StatusAccepted || string(first.body) != string(again.body) {
		t.Errorf("repeat answered %d %s, first %d %s: want the same 202", again.status, again.body, first.status, first.body)
	}
	other := h.call(http.MethodPost, "/api/v1/bookings", tok, fmt.Sprintf(`{"slot_id":%q}`, slots[1].ID), key)
	if other.status != http.StatusUnprocessableEntity || problemCode(t, other) != "idempotency-key-reused" {
		t.Errorf("same key, other body: %d %s, want 422 idempotency-key-reused", other.status, other.body)
	}
	// The same key belongs to each citizen separately.
	if r := h.call(http.MethodPost, "/api/v1/bookings", h.token("someone-else"), body, key); r.status != http.StatusAccepted {
		t.Errorf("another citizen's identical key: %d %s, want 202", r.status, r.body)
	}
	if n := len(h.history(tok)); n != 1 {
		t.Errorf("history has %d bookings after retries, want 1", n)
	}
}

func TestConcurrentDuplicatesCreateOneBooking(t *testing.T) {
	h := newHarness(t, 1, nil)
	tok := h.token("stepan")
	body := fmt.Sprintf(`{"slot_id":%q}`, h.freeSlots(tok, "77", 1)[0].ID)
	const n = 8
	var wg sync.WaitGroup
	results := make([]response, n)
	for i := range n {
		wg.Go(func() {
			results[i] = h.call(http.MethodPost, "/api/v1/bookings", tok, body, map[string]string{"Idempotency-Key": "burst"})
		})
	}
	wg.Wait()
	ids := map[string]bool{}
	for _, r := range results {
		switch r.status {
		case http.StatusAccepted:
			var b bookingView
			_ = json.Unmarshal(r.body, &b)
			ids[b.ID] = true
		case http.StatusConflict:
			if problemCode(t, r) != "idempotency-key-in-flight" {
				t.Errorf("409 with %s", r.body)
			}
		default:
			t.Errorf("concurrent duplicate answered %d %s", r.status, r.body)
		}
	}
	if len(ids) != 1 {
		t.Errorf("concurrent duplicates accepted as %d bookings, want 1", len(ids))
	}
	if got := len(h.history(tok)); got != 1 {
		t.Errorf("history has %d bookings, want 1", got)
	}
}

func TestBadRequestsGetAProblemAndStoreNothing(t *testing.T) {
	h := newHarness(t, 1, nil)
	tok := h.token("fedor")
	free := h.freeSlots(tok, "77", 1)[0]
	cases := []struct {
		name, body, key string
		status          int
		code            string
	}{
		{"malformed JSON is refused", `{"slot_id":`, "k1", 400, "invalid-request"},
		{"an unknown field is refused", `{"slot_id":"` + free.ID + `","citizen":"x"}`, "k2", 400, "invalid-request"},
		{"a slot id without a region is refused", `{"slot_id":"S-1"}`, "k3", 400, "invalid-request"},
		{"a slot the clinic does not offer is refused", `{"slot_id":"77:S-99999999"}`, "k4", 422, "slot-unknown"},
		{"a region that does not exist is not found", `{"slot_id":"99:S-1"}`, "k5", 404, "not-found"},
		{"an oversized body is refused", `{"slot_id":"` + strings.Repeat("x", 20000) + `"}`, "k6", 413, "body-too-large"},
		{"a request without Idempotency-Key is refused", `{"slot_id":"` + free.ID + `"}`, "", 400, "idempotency-key-missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := map[string]string{}
			if c.key != "" {
				hdr["Idempotency-Key"] = c.key
			}
			r := h.call(http.MethodPost, "/api/v1/bookings", tok, c.body, hdr)
			if r.status != c.status || r.header.Get("Content-Type") != "application/problem+json" || problemCode(t, r) != c.code {
				t.Errorf("got %d %s %s, want %d problem+json %s", r.status, r.header.Get("Content-Type"), r.body, c.status, c.code)
			}
		})
	}
	if n := len(h.history(tok)); n != 0 {
		t.Errorf("history has %d bookings after bad requests, want none", n)
	}
	if n := len(h.appointments("77")); n != 0 {
		t.Errorf("the clinic saw %d holds after bad requests, want none", n)
	}
	for _, q := range []string{"region=", "region=77&from=2026-13-01", "region=77&from=2026-01-10&to=2026-01-01", "region=77&limit=0"} {
		if r := h.call(http.MethodGet, "/api/v1/slots?"+q, tok, "", nil); r.status != http.StatusBadRequest {
			t.Errorf("slot search %q: %d %s, want 400", q, r.status, r.body)
		}
	}
}

func (h *harness) history(tok string) []bookingView {
	h.t.Helper()
	var out struct{ Bookings []bookingView }
	h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings", tok, "", nil), http.StatusOK, &out)
	return out.Bookings
}

func problemCode(t *testing.T, r response) string {
	t.Helper()
	var p struct{ Code string }
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Errorf("not a problem document: %s", r.body)
	}
	return p.Code
}

func TestALongPollAnswersWhenTheBookingReachesItsFinalStatus(t *testing.T) {
	h := newHarness(t, 1, nil)
	tok := h.token("zoya")
	h.faults("77", missim.Faults{LatencyMS: 100})
	id := h.book(tok, h.freeSlots(tok, "77", 1)[0].ID)
	var b bookingView
	h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings/"+id+"?wait=20s", tok, "", nil), http.StatusOK, &b)
	if b.Status != "confirmed" {
		t.Errorf("long poll answered %s, want the final confirmed", b.Status)
	}
	if r := h.call(http.MethodGet, "/api/v1/bookings/"+id+"?wait=forever", tok, "", nil); r.status != http.StatusBadRequest {
		t.Errorf("wait=forever: %d, want 400", r.status)
	}
}
