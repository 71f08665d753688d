package system_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
)

// TestTheAccessMatrix asks every endpoint as every kind of caller about
// citizen A's booking and asserts the exact status of each cell: A, another
// citizen B, no token, an expired token, and a token the identity provider
// never signed. (Operators and analysts join when they get endpoints.)
func TestTheAccessMatrix(t *testing.T) {
	h := newHarness(t, 1, nil)
	a, b := h.token("matrix-a"), h.token("matrix-b")
	expired, err := h.sys.Dev.IssueAt("matrix-a", time.Now().Add(-2*time.Hour), 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	other, err := auth.NewDevIssuer(h.sys.Dev.Issuer(), "federation") // same issuer name, another key
	if err != nil {
		t.Fatal(err)
	}
	forged, err := other.Issue("matrix-a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	callers := []struct{ name, token string }{{"A", a}, {"B", b}, {"no token", ""}, {"expired", expired}, {"forged", forged}}

	slots := h.freeSlots(a, "77", 8)
	mine := h.book(a, slots[0].ID)
	h.waitStatus(a, mine, 10*time.Second, "confirmed")
	missing := "00000000-0000-4000-8000-000000000000"

	const denied = http.StatusUnauthorized
	next := 1 // the next free slot to book
	cells := []struct {
		method, path string
		body         func() string // nil: no body
		want         [5]int        // A, B, no token, expired, forged
	}{
		{"GET", "/healthz", nil, [5]int{200, 200, 200, 200, 200}},
		{"GET", "/api/v1/openapi.json", nil, [5]int{200, 200, 200, 200, 200}},
		{"GET", "/api/v1/regions", nil, [5]int{200, 200, 200, 200, 200}},
		{"GET", "/metrics", nil, [5]int{404, 404, 404, 404, 404}},
		{"GET", "/api/v1/slots?region=77", nil, [5]int{200, 200, denied, denied, denied}},
		{"POST", "/api/v1/bookings", func() string { next++; return fmt.Sprintf(`{"slot_id":%q}`, slots[next-1].ID) },
			[5]int{202, 202, denied, denied, denied}},
		{"GET", "/api/v1/bookings", nil, [5]int{200, 200, denied, denied, denied}},
		{"GET", "/api/v1/bookings/" + mine, nil, [5]int{200, 404, denied, denied, denied}},
		{"GET", "/api/v1/bookings/" + mine + "?wait=1s", nil, [5]int{200, 404, denied, denied, denied}},
		{"GET", "/api/v1/bookings/" + missing, nil, [5]int{404, 404, denied, denied, denied}},
		{"POST", "/api/v1/bookings/" + missing + "/cancel", func() string { return "" }, [5]int{404, 404, denied, denied, denied}},
		// A's own cancel last: B's attempt before it must change nothing.
		{"POST", "/api/v1/bookings/" + mine + "/cancel", func() string { return "" }, [5]int{0, 404, denied, denied, denied}},
	}
	n := 0
	for _, c := range cells {
		for i, caller := range callers {
			if c.want[i] == 0 {
				continue
			}
			body := ""
			if c.body != nil {
				body = c.body()
			}
			r := h.call(c.method, c.path, caller.token, body, map[string]string{"Idempotency-Key": fmt.Sprintf("matrix-%d", n)})
			n++
			if r.status != c.want[i] {
				t.Errorf("%s %s as %s: %d, want %d: %s", c.method, c.path, caller.name, r.status, c.want[i], r.body)
			}
			if r.status == denied && r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s as %s: 401 without WWW-Authenticate", c.method, c.path, caller.name)
			}
		}
	}
	t.Logf("%d cells asserted", n)
	if got := h.booking(a, mine); got.Status != "confirmed" {
		t.Fatalf("A's booking is %s after B's and strangers' attempts, want still confirmed", got.Status)
	}
	if r := h.call("POST", "/api/v1/bookings/"+mine+"/cancel", a, "", map[string]string{"Idempotency-Key": "matrix-own"}); r.status != http.StatusAccepted {
		t.Errorf("A cancels A's booking: %d %s, want 202", r.status, r.body)
	}
	for _, seen := range h.history(b) {
		if seen.ID == mine {
			t.Errorf("B's history shows A's booking %s", mine)
		}
	}
}
