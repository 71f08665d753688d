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
// citizen B, no token, an expired token, a token the identity provider
// never signed, the operator of A's feed booking's region, and an operator
// of another region, and a ministry analyst (whose own endpoints are not
// here: none of these is theirs).
func TestTheAccessMatrix(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 0))
	a, b := h.token("matrix-a"), h.token("matrix-b")
	op, opElsewhere := h.operatorToken("op1", feedCode), h.operatorToken("op2", "77")
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
	callers := []struct{ name, token string }{{"A", a}, {"B", b}, {"no token", ""}, {"expired", expired}, {"forged", forged},
		{"A's feed region's operator", op}, {"another region's operator", opElsewhere}, {"an analyst", h.analystToken("a1")}}

	slots := h.freeSlots(a, "77", 10)
	mine := h.book(a, slots[0].ID)
	h.waitStatus(a, mine, 10*time.Second, "confirmed")
	feedSlots := h.feedSlots(a, 4)
	queued, declined := h.book(a, feedSlots[0].ID), h.book(a, feedSlots[1].ID)
	missing := "00000000-0000-4000-8000-000000000000"

	const denied, wrongRole = http.StatusUnauthorized, http.StatusForbidden
	next := 1 // the next free slot to book
	confirm := func() string { return `{"mis_appointment_id":"APT-M"}` }
	decline := func() string { return `{"reason_code":"practitioner_absent","note":"No doctor that day."}` }
	cells := []struct {
		method, path string
		body         func() string // nil: no body
		want         [8]int        // A, B, no token, expired, forged, operator, another region's operator, analyst
	}{
		{"GET", "/healthz", nil, [8]int{200, 200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/api/v1/openapi.json", nil, [8]int{200, 200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/api/v1/regions", nil, [8]int{200, 200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/metrics", nil, [8]int{404, 404, 404, 404, 404, 404, 404, 404}},
		{"GET", "/api/v1/slots?region=77", nil, [8]int{200, 200, denied, denied, denied, wrongRole, wrongRole, wrongRole}},
		{"POST", "/api/v1/bookings", func() string { next++; return fmt.Sprintf(`{"slot_id":%q}`, slots[next-1].ID) },
			[8]int{202, 202, denied, denied, denied, wrongRole, wrongRole, wrongRole}},
		{"GET", "/api/v1/bookings", nil, [8]int{200, 200, denied, denied, denied, wrongRole, wrongRole, wrongRole}},
		{"GET", "/api/v1/bookings/" + mine, nil, [8]int{200, 404, denied, denied, denied, wrongRole, wrongRole, wrongRole}},
		{"GET", "/api/v1/bookings/" + mine + "?wait=1s", nil, [8]int{200, 404, denied, denied, denied, wrongRole, wrongRole, wrongRole}},
		{"GET", "/api/v1/bookings/" + missing, nil, [8]int{404, 404, denied, denied, denied, wrongRole, wrongRole, wrongRole}},
		{"POST", "/api/v1/bookings/" + missing + "/cancel", func() string { return "" }, [8]int{404, 404, denied, denied, denied, wrongRole, wrongRole, wrongRole}},
		{"GET", "/api/v1/operator/queue", nil, [8]int{wrongRole, wrongRole, denied, denied, denied, 200, 200, wrongRole}},
		{"GET", "/api/v1/operator/region", nil, [8]int{wrongRole, wrongRole, denied, denied, denied, 200, 200, wrongRole}},
		{"POST", "/api/v1/operator/bookings/" + missing + "/confirm", confirm, [8]int{wrongRole, wrongRole, denied, denied, denied, 404, 404, wrongRole}},
		// The other region's operator first: its attempts must change nothing.
		{"POST", "/api/v1/operator/bookings/" + declined + "/decline", decline, [8]int{wrongRole, wrongRole, denied, denied, denied, 0, 404, wrongRole}},
		{"POST", "/api/v1/operator/bookings/" + declined + "/decline", decline, [8]int{0, 0, 0, 0, 0, 200, 0, 0}},
		{"POST", "/api/v1/operator/bookings/" + declined + "/confirm", confirm, [8]int{0, 0, 0, 0, 0, 409, 404, 0}},
		{"GET", "/api/v1/operator/bookings/" + queued + "/patient", nil, [8]int{wrongRole, wrongRole, denied, denied, denied, 200, 404, wrongRole}},
		{"POST", "/api/v1/operator/bookings/" + queued + "/confirm", confirm, [8]int{wrongRole, wrongRole, denied, denied, denied, 0, 404, wrongRole}},
		{"POST", "/api/v1/operator/bookings/" + queued + "/confirm", confirm, [8]int{0, 0, 0, 0, 0, 200, 0, 0}},
		{"POST", "/api/v1/operator/bookings/" + mine + "/confirm", confirm, [8]int{0, 0, 0, 0, 0, 404, 404, 0}}, // not a feed booking
		{"POST", "/api/v1/operator/bookings/" + queued + "/acknowledge", nil, [8]int{wrongRole, wrongRole, denied, denied, denied, 409, 404, wrongRole}},
		// A's own cancel last: B's attempt before it must change nothing.
		{"POST", "/api/v1/bookings/" + mine + "/cancel", func() string { return "" }, [8]int{0, 404, denied, denied, denied, wrongRole, wrongRole, wrongRole}},
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
	if got, want := h.booking(a, queued).Status+" "+h.booking(a, declined).Status, "confirmed rejected"; got != want {
		t.Fatalf("A's feed bookings are %s, want %s: only their region's operator acted", got, want)
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
