package system_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
)

// TestLimitsAndExpiringKeysOnTheWholeSystem runs the YAML's limits and
// idempotency_ttl through system.Options to the API: a citizen over a limit
// gets the documented 429 (the harness checks every answer against
// openapi.yaml) while another goes on, and a key is free again after its TTL.
func TestLimitsAndExpiringKeysOnTheWholeSystem(t *testing.T) {
	h := newHarness(t, 1, func(o *system.Options) {
		o.IdempotencyTTL = time.Second
		o.Limits = ratelimit.Config{Citizen: ratelimit.Budget{
			Reads: ratelimit.Rate{PerSecond: 0.2, Burst: 5}, Writes: ratelimit.Rate{PerSecond: 1, Burst: 2}}}
	})
	t.Run("a citizen over the read limit is answered 429 and another reads on", func(t *testing.T) {
		olga, pavel := h.token("olga"), h.token("pavel")
		for i := range 5 {
			if r := h.call(http.MethodGet, "/api/v1/bookings", olga, "", nil); r.status != http.StatusOK {
				t.Fatalf("read %d of 5: %d %s", i+1, r.status, r.body)
			}
		}
		var pr struct{ Code string }
		r := h.call(http.MethodGet, "/api/v1/bookings", olga, "", nil)
		h.mustJSON(r, http.StatusTooManyRequests, &pr)
		if pr.Code != "rate-limited" || r.header.Get("Retry-After") != "5" {
			t.Errorf("code %q, Retry-After %q; want rate-limited, 5 (one token at 0.2/s)", pr.Code, r.header.Get("Retry-After"))
		}
		if r := h.call(http.MethodGet, "/api/v1/bookings", pavel, "", nil); r.status != http.StatusOK {
			t.Errorf("pavel: %d, want 200", r.status)
		}
		// Writes have their own, stricter budget: 2 at once.
		for range 2 {
			h.call(http.MethodPost, "/api/v1/bookings/"+fillPath("{id}")+"/cancel", pavel, "", nil)
		}
		r = h.call(http.MethodPost, "/api/v1/bookings/"+fillPath("{id}")+"/cancel", pavel, "", nil)
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
			t.Errorf("pavel's third write at once: %d, Retry-After %q; want 429, 1", r.status, r.header.Get("Retry-After"))
		}
	})
	t.Run("an expired Idempotency-Key is purged and free for a new request", func(t *testing.T) {
		ivan := h.token("ivan")
		slots := h.freeSlots(ivan, "77", 2)
		key := map[string]string{"Idempotency-Key": fmt.Sprintf("ttl-%d", time.Now().UnixNano())}
		h.mustJSON(h.call(http.MethodPost, "/api/v1/bookings", ivan, fmt.Sprintf(`{"slot_id":%q}`, slots[0].ID), key), http.StatusAccepted, nil)
		other := fmt.Sprintf(`{"slot_id":%q}`, slots[1].ID)
		r := h.call(http.MethodPost, "/api/v1/bookings", ivan, other, key)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("the key with another slot at once: %d %s, want 422: the key is remembered", r.status, r.body)
		}
		deadline := time.Now().Add(6 * time.Second)
		for {
			time.Sleep(1100 * time.Millisecond) // one write token a second
			r = h.call(http.MethodPost, "/api/v1/bookings", ivan, other, key)
			if r.status == http.StatusAccepted {
				return // the key was forgotten: the other request ran
			}
			if r.status != http.StatusUnprocessableEntity || time.Now().After(deadline) {
				t.Fatalf("the key with another slot: %d %s; want 422 while remembered, then 202 once expired", r.status, r.body)
			}
		}
	})
}
