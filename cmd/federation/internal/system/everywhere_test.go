package system_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/fedhealth/federation/regions/missim"
)

type everywhereView struct {
	Slots   []slotView
	Regions []struct {
		Code       string `json:"code"`
		AgeSeconds int64  `json:"age_seconds"`
		Status     string `json:"status"`
	}
	NextCursor string `json:"next_cursor"`
}

func (h *harness) searchEverywhere(token, query string) (everywhereView, time.Duration) {
	h.t.Helper()
	var out everywhereView
	started := time.Now()
	r := h.call(http.MethodGet, "/api/v1/slots?"+query, token, "", nil)
	took := time.Since(started)
	h.mustJSON(r, http.StatusOK, &out)
	return out, took
}

func statuses(v everywhereView) map[string]string {
	m := map[string]string{}
	for _, r := range v.Regions {
		m[r.Code] = r.Status
	}
	return m
}

func TestTheSearchAcrossRegionsSaysWhichRegionsAreAbsentAndDoesNotWaitForASlowOne(t *testing.T) {
	h := newHarness(t, 4, nil) // 77, 78, 16, 54
	token := h.token("citizen-everywhere")
	h.faults("78", missim.Faults{Down: true})
	// Slower than the answer waits (0.8 s), quicker than a search may take
	// (the breaker's search_timeout, 3 s): its refresh ends after the answer.
	h.faults("16", faultsLatency(1500))

	page, took := h.searchEverywhere(token, "specialty="+missim.SpecialtyTherapy+"&limit=5")
	if took > 2*time.Second {
		t.Errorf("the answer took %s with a region slow by 1.5 s; it must not wait for it", took)
	}
	want := map[string]string{"77": "fresh", "54": "fresh", "78": "unavailable", "16": "unavailable"}
	if got := statuses(page); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("regions %v, want %v", got, want)
	}
	if len(page.Slots) != 5 || page.NextCursor == "" {
		t.Fatalf("%d slots, cursor %q; want a full page of 5 and a cursor", len(page.Slots), page.NextCursor)
	}
	zones := map[string]string{"77": "Europe/Moscow", "54": "Asia/Novosibirsk"}
	for i, sl := range page.Slots {
		if sl.Region != "77" && sl.Region != "54" {
			t.Errorf("slot %s of region %s, which did not answer", sl.ID, sl.Region)
		}
		loc, err := time.LoadLocation(zones[sl.Region])
		if err != nil {
			t.Fatal(err)
		}
		_, off := sl.Start.Zone()
		if _, want := sl.Start.In(loc).Zone(); off != want {
			t.Errorf("slot %s starts %s, not in its region's offset", sl.ID, sl.Start)
		}
		if i > 0 && sl.Start.Before(page.Slots[i-1].Start) {
			t.Errorf("slot %d starts %s, before the one above it (%s)", i, sl.Start, page.Slots[i-1].Start)
		}
	}
	next, _ := h.searchEverywhere(token, "specialty="+missim.SpecialtyTherapy+"&limit=5&cursor="+url.QueryEscape(page.NextCursor))
	if len(next.Slots) == 0 || next.Slots[0].Start.Before(page.Slots[4].Start) {
		t.Fatalf("the next page %v does not go on after %s", next.Slots, page.Slots[4].Start)
	}
	for _, sl := range next.Slots {
		if slices.ContainsFunc(page.Slots, func(p slotView) bool { return p.ID == sl.ID }) {
			t.Errorf("slot %s on both pages", sl.ID)
		}
	}

	// The slow region's refresh went on after the answer: a later search
	// has it, without waiting for it again.
	deadline := time.Now().Add(10 * time.Second)
	for statuses(page)["16"] != "fresh" {
		if time.Now().After(deadline) {
			t.Fatalf("the slow region never became fresh: %v", statuses(page))
		}
		time.Sleep(200 * time.Millisecond)
		page, _ = h.searchEverywhere(token, "specialty="+missim.SpecialtyTherapy+"&limit=5")
	}
	if statuses(page)["78"] != "unavailable" {
		t.Errorf("the region that is down reads %s", statuses(page)["78"])
	}
}

func TestTheSearchAcrossRegionsRefusesWhatNeedsARegion(t *testing.T) {
	h := newHarness(t, 1, nil)
	token := h.token("citizen-everywhere-bad")
	for _, q := range []string{"", "specialty=27&from=2030-01-01", "specialty=27&practitioner=p1", "region=77&cursor=abc", "specialty=27&cursor=not-ours", "specialty=27&limit=201"} {
		r := h.call(http.MethodGet, "/api/v1/slots?"+q, token, "", nil)
		if r.status != http.StatusBadRequest || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%q: status %d (%s), want a 400 problem", q, r.status, r.header.Get("Content-Type"))
		}
	}
}
