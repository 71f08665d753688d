package system_test

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEveryDocumentedOperationIsServed asks the whole system every
// operation of openapi.yaml, signed out and without a body: each must reach
// its handler (or the sign-in in front of it), never the router's 404 or
// 405, and answer as documented (the harness checks every answer).
func TestEveryDocumentedOperationIsServed(t *testing.T) {
	h := newHarness(t, 1, nil)
	d, err := apiDocument()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for template, item := range d.doc.Paths.Map() {
		for method := range item.Operations() {
			n++
			r := h.call(method, fillPath(template), "", "", nil)
			if bytes.Contains(r.body, []byte(`"code":"callback-no-region"`)) {
				continue // the callback route answered: no region of this harness takes callbacks
			}
			if r.status == http.StatusNotFound || r.status == http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d %s, want it served", method, fillPath(template), r.status, r.body)
			}
		}
	}
	if n < 13 {
		t.Errorf("asked %d operations; the document lists too few", n)
	}
	// A method a documented path does not serve is the 405 the harness
	// expects: a problem with Allow.
	r := h.call(http.MethodDelete, "/api/v1/bookings", "", "", nil)
	if r.status != http.StatusMethodNotAllowed || !slices.Equal(r.header.Values("Allow"), []string{"GET, POST"}) {
		t.Errorf("DELETE /api/v1/bookings: %d Allow %v, want 405 Allow GET, POST", r.status, r.header.Values("Allow"))
	}
}

// TestAProblemsTypeNamesAPageTheSystemServes follows a real problem's
// type, resolved against the request's URL as RFC 9457 says.
func TestAProblemsTypeNamesAPageTheSystemServes(t *testing.T) {
	h := newHarness(t, 1, nil)
	path := "/api/v1/bookings/" + fillPath("{id}")
	r := h.call(http.MethodGet, path, h.token("olga"), "", nil)
	var pr struct{ Type, Code string }
	h.mustJSON(r, http.StatusNotFound, &pr)
	base, _ := url.Parse(h.sys.URL + path)
	ref, err := url.Parse(pr.Type)
	if err != nil || pr.Code != "not-found" {
		t.Fatalf("problem type %q code %q (%v), want a URI reference for not-found", pr.Type, pr.Code, err)
	}
	page := base.ResolveReference(ref)
	r = h.call(http.MethodGet, page.RequestURI(), "", "", nil)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(r.body), "not-found") {
		t.Errorf("GET %s: %d %s, want the not-found page", page, r.status, r.header.Get("Content-Type"))
	}
}

func TestARepeatedCancellationWithItsKeyIsReplayed(t *testing.T) {
	h := newHarness(t, 1, nil)
	tok := h.token("pavel")
	id := h.book(tok, h.freeSlots(tok, "77", 1)[0].ID)
	h.waitStatus(tok, id, 10*time.Second, "confirmed")
	key := map[string]string{"Idempotency-Key": "cancel-" + id}
	first := h.call(http.MethodPost, "/api/v1/bookings/"+id+"/cancel", tok, "", key)
	again := h.call(http.MethodPost, "/api/v1/bookings/"+id+"/cancel", tok, "", key)
	if first.status != http.StatusAccepted || again.status != http.StatusAccepted ||
		string(first.body) != string(again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("first %d %s, again %d %s (replayed %q): want the same 202, replayed",
			first.status, first.body, again.status, again.body, again.header.Get("Idempotent-Replayed"))
	}
}
