package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// leaks are what no problem may show: the caller's input, an internal
// address and URL, and Go's own words for types.
var leaks = []string{"127.0.0.1", "10.0.3.7", "http://", "i/o timeout", "Go value", "struct {", "XXXXXXXXXX"}

// hostile wraps err as an adapter deep inside would, with a long input,
// internal addresses, a URL and a decoder's diagnostic around it.
func hostile(err error) error {
	input := strings.Repeat("X", 10_000)
	return fmt.Errorf(`slot %s: Get "http://10.0.3.7:8443/Slot?_id=%s": read tcp 127.0.0.1:50412->10.0.3.7:8443: i/o timeout: `+
		`json: cannot unmarshal array into Go value of type struct { SlotID string }: %w`, input, input, err)
}

func TestNoProblemDetailQuotesInputOrAddresses(t *testing.T) {
	var sentinels []error
	sentinels = append(sentinels, answeredErrors...)
	sentinels = append(sentinels, Errors()...)
	sentinels = append(sentinels, contracts.ErrUnsupported, errKeyTooLong, errMalformedJSON, errBadCitizenID)
	for _, k := range contracts.Kinds() {
		sentinels = append(sentinels, contracts.NewError(k, "an adapter's words "+strings.Repeat("X", 20)))
	}
	for _, sentinel := range sentinels {
		for name, err := range map[string]error{
			"wrapped":             hostile(sentinel),
			"in a region":         &bookings.RegionError{Region: "77", Err: hostile(sentinel)},
			"wrapping an invalid": hostile(fmt.Errorf("%w: %w", sentinel, bookings.Invalid("dates are YYYY-MM-DD"))),
		} {
			pr := problemFor(err)
			body, _ := json.Marshal(pr)
			for _, leak := range leaks {
				if strings.Contains(string(body), leak) {
					t.Errorf("%v %s: the problem shows %q: %s", sentinel, name, leak, body)
				}
			}
			if pr.Status >= 500 && !fixedDetail(pr) {
				t.Errorf("%v %s: %d detail %q is not the table's fixed text", sentinel, name, pr.Status, pr.Detail)
			}
			if pr.Detail == "" || len(pr.Detail) > maxDetail {
				t.Errorf("%v %s: detail of %d bytes, want 1..%d", sentinel, name, len(pr.Detail), maxDetail)
			}
		}
	}
}

// fixedDetail reports whether pr's detail is its problem type's own text,
// with at most the region named.
func fixedDetail(pr problem) bool {
	types := slices.Collect(maps.Values(kindProblems))
	for _, own := range ownProblems {
		types = append(types, own.problemType)
	}
	for _, pt := range types {
		if pt.code == pr.Code && (pr.Detail == pt.detail || pr.Detail == fmt.Sprintf(pt.regionDetail, "77")) {
			return true
		}
	}
	return false
}

func TestAServerErrorNamesTheRegionAtMost(t *testing.T) {
	err := &bookings.RegionError{Region: "77", Err: hostile(contracts.ErrRegionUnavailable)}
	pr := problemFor(err)
	want := "The medical information system of region 77 is unavailable; try again later."
	if pr.Status != http.StatusServiceUnavailable || pr.Detail != want {
		t.Errorf("%d %q, want 503 %q", pr.Status, pr.Detail, want)
	}
	if pr := problemFor(hostile(errors.New("disk on fire"))); pr.Detail != kindProblems[contracts.KindInternal].detail {
		t.Errorf("an unclassified error's detail %q, want the fixed one", pr.Detail)
	}
}

func TestTheServerDoesNotEchoALongPathOrMethod(t *testing.T) {
	srv := httptest.NewServer(routedServer(t).Handler())
	defer srv.Close()
	long := strings.Repeat("X", 10_000)
	for _, c := range []struct{ name, method, path string }{
		{"a problem page of a 10 kB code", http.MethodGet, "/problems/" + long},
		{"a path nobody serves", http.MethodGet, "/api/v1/" + long},
		{"a 10 kB method", "M" + long, "/healthz"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, srv.URL+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 400 || resp.Header.Get("Content-Type") != "application/problem+json" || strings.Contains(string(body), "XXXXXXXXXX") {
				t.Errorf("%d %s %.300s, want a problem that does not quote the request", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
}

// Every problem writeError answers with has Russian words, the citizen's
// default; English when asked for.
func TestEveryProblemOfWriteErrorHasRussianWords(t *testing.T) {
	codes := map[string]bool{}
	for _, own := range ownProblems {
		codes[own.code] = own.regionDetail != ""
	}
	for _, pt := range kindProblems {
		codes[pt.code] = pt.regionDetail != ""
	}
	for code, regional := range codes {
		ru, ok := russianProblems[code]
		if !ok || ru.title == "" || ru.detail == "" {
			t.Errorf("%s has no Russian title and detail", code)
		}
		if regional && strings.Count(ru.regionDetail, "%s") != 1 {
			t.Errorf("%s names a region in English but its Russian detail %q does not", code, ru.regionDetail)
		}
	}
	for code := range russianProblems {
		if _, ok := codes[code]; !ok {
			t.Errorf("russianProblems has %s, which writeError never answers with", code)
		}
	}
	if pr := problemIn(bookings.ErrOverlaps, sagas.LangRU); pr.Title != "У вас уже есть запись на это время" || pr.Code != "booking-overlaps" {
		t.Errorf("booking-overlaps in Russian: %+v", pr)
	}
	if pr := problemIn(bookings.ErrOverlaps, sagas.LangEN); pr.Title != "You already have a booking at this time" {
		t.Errorf("booking-overlaps in English: %+v", pr)
	}
}
