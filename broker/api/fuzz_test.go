package api

import (
	stdjson "encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// FuzzBookingBody holds the booking body's decoder to its rules: whatever
// it accepts is one JSON object whose only member, if any, is exactly
// "slot_id", once, decoded as encoding/json reads it; whatever it refuses
// is a 400 invalid-request whose detail does not quote the body.
func FuzzBookingBody(f *testing.F) {
	for _, seed := range []string{
		`{"slot_id":"77:S-1"}`, `{"Slot_ID":"77:S-1"}`, `{"slot_id":"a","slot_id":"b"}`, `{"slot_id":"a"} {}`,
		`{"slot_id":1}`, `[{"slot_id":"a"}]`, `null`, `{}`, ``, `{"slot_id":"\u00e9\ud800"}`, "{\"slot_id\":\"\xff\"}",
		`{"slot_id":"a","x":{"y":[1,2,{"z":null}]}}`, ` {"slot_id" : "77:S-1" } `,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req bookingRequest
		err := decodeJSON(body, &req)
		if err != nil {
			pr := problemFor(err)
			if pr.Status != http.StatusBadRequest || pr.Code != "invalid-request" || len(pr.Detail) > maxDetail {
				t.Fatalf("refusal %+v, want a 400 invalid-request", pr)
			}
			if len(body) > 24 && strings.Contains(pr.Detail, string(body)) {
				t.Fatalf("detail %q quotes the body", pr.Detail)
			}
			return
		}
		var members map[string]stdjson.RawMessage
		if !stdjson.Valid(body) || stdjson.Unmarshal(body, &members) != nil || members == nil {
			t.Fatalf("accepted %q, which is not one JSON object", body)
		}
		for name := range members {
			if name != "slot_id" {
				t.Fatalf("accepted %q with member %q", body, name)
			}
		}
		// encoding/json keeps the last of duplicate members: a duplicate let
		// through would show as a difference here.
		var v1 bookingRequest
		if err := stdjson.Unmarshal(body, &v1); err != nil || v1 != req {
			t.Fatalf("accepted %q as %+v, encoding/json reads %+v (%v)", body, req, v1, err)
		}
	})
}

var filterShape = regexp.MustCompile(`^[A-Za-z0-9._:/-]{1,64}$`)

// FuzzSearchQuery holds the slot search's query parsing (searchQuery,
// then the booking service's rules) to its promises: an accepted search
// asks the MIS for whole days from today to the horizon, at most 14 days
// apart, with filters of the contract's id shape and a limit of 1..1000;
// a refused one is a 400 that does not quote the query.
func FuzzSearchQuery(f *testing.F) {
	for _, seed := range []string{
		"region=77", "region=77&from=2026-03-02&to=2026-03-08&limit=5", "region=77&from=9999-12-31",
		"region=77&region=78", "region=77&specialty=therapist&practitioner=PractitionerRole/p-1&facility=urn:oid:1.2.643.5",
		"region=77&from=2026-02-30", "region=%zz", "region=77;from=2026-03-02", "region=77&limit=+5", "region=77&x=1",
		"region=77&to=2026-03-01", "region=77&specialty=" + strings.Repeat("a", 65), "region=77&from=2026-3-2",
	} {
		f.Add(seed)
	}
	loc, err := time.LoadLocation("Asia/Vladivostok")
	if err != nil {
		loc = time.FixedZone("UTC+10", 10*3600)
	}
	now := time.Date(2026, 3, 1, 22, 30, 0, 0, time.UTC) // already 2 March in the region
	today := time.Date(2026, 3, 2, 0, 0, 0, 0, loc)
	const horizon = 180
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := searchQuery(raw)
		if err == nil {
			var q contracts.SlotQuery
			if q, err = regionSearch(v).Query(now, loc, horizon); err == nil {
				checkQuery(t, raw, q, today, horizon)
				return
			}
		}
		pr := problemFor(err)
		if pr.Status != http.StatusBadRequest || pr.Code != "invalid-request" || pr.Detail == "" || len(pr.Detail) > maxDetail {
			t.Fatalf("%q refused with %+v, want a 400 invalid-request", raw, pr)
		}
		if len(raw) > 64 && strings.Contains(pr.Detail, raw) {
			t.Fatalf("detail %q quotes the query", pr.Detail)
		}
	})
}

func checkQuery(t *testing.T, raw string, q contracts.SlotQuery, today time.Time, horizon int) {
	t.Helper()
	last := today.AddDate(0, 0, horizon)
	for _, d := range []time.Time{q.From, q.To} {
		if d.Hour() != 0 || d.Minute() != 0 || d.Location() != today.Location() {
			t.Fatalf("%q: date %v is not a midnight in the region", raw, d)
		}
	}
	switch {
	case q.From.Before(today) || q.To.After(last):
		t.Fatalf("%q: %v..%v, want within %v..%v", raw, q.From, q.To, today, last)
	case q.To.Before(q.From) || q.To.After(q.From.AddDate(0, 0, 14)):
		t.Fatalf("%q: %v..%v, want to on or after from and at most 14 days later", raw, q.From, q.To)
	case q.Limit < 1 || q.Limit > 1000:
		t.Fatalf("%q: limit %d", raw, q.Limit)
	}
	for _, f := range []string{q.Specialty, q.PractitionerID, q.FacilityID} {
		if f != "" && !filterShape.MatchString(f) {
			t.Fatalf("%q: filter %q reaches the MIS", raw, f)
		}
	}
}
