package api

import (
	"errors"
	"fmt"
	"github.com/fedhealth/federation/broker/callbacks"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// answeredErrors are the errors the API answers with a problem: its own,
// the use cases', every sentinel of contracts, wrapped as callers wrap
// them, and an error nobody classified.
var answeredErrors = []error{
	auth.ErrUnauthenticated, auth.ErrWrongRole, errBodyTooLarge, errUnsupportedMediaType, errKeyMissing, errKeyReused, errKeyInFlight, errBadWait,
	bookings.ErrSlotUnknown, bookings.ErrNotCancellable, errRateLimited, sagas.ErrDeadlinePassed, bookings.ErrPatientErased,
	bookings.ErrOverlaps, bookings.ErrTooManyActive, bookings.ErrNotReschedulable, bookings.ErrOtherRegion, bookings.ErrMovedByOperators,
	errRegionNotYours,
	contracts.ErrInvalid, contracts.ErrNotFound, contracts.ErrConflict, contracts.ErrSlotTaken,
	contracts.ErrHoldExpired, contracts.ErrNotAttached, contracts.ErrReferralRequired,
	contracts.ErrRegionUnavailable, contracts.ErrRegionBusy, contracts.ErrOutcomeUnknown, auth.ErrKeysUnavailable,
	contracts.ErrStoreUnavailable,
	errors.New("disk on fire"),
}

func TestEveryOwnProblemIsAnswered(t *testing.T) {
	for _, own := range ownProblems {
		if !slices.Contains(answeredErrors, own.err) {
			t.Errorf("%v has a problem of its own but is not in answeredErrors, so its page is not checked", own.err)
		}
	}
}

func pageFor(code string) (problemPage, bool) {
	for _, p := range problemPages {
		if p.Code == code {
			return p, true
		}
	}
	return problemPage{}, false
}

func TestEveryProblemTheAPIAnswersHasAPageWithItsStatusAndTitle(t *testing.T) {
	for _, err := range answeredErrors {
		pr := problemFor(fmt.Errorf("region 77: %w", err))
		page, ok := pageFor(pr.Code)
		switch {
		case !ok:
			t.Errorf("%v is answered with code %q, which has no page in problemPages", err, pr.Code)
		case page.Status != pr.Status || page.Title != pr.Title:
			t.Errorf("%v: problem %d %q, its page says %d %q", err, pr.Status, pr.Title, page.Status, page.Title)
		case pr.Type != problemBase+pr.Code:
			t.Errorf("%v: type %q, want %q", err, pr.Type, problemBase+pr.Code)
		}
	}
	// The answers written outside problemFor: the router's 405, the
	// edge's 431, the start-up 503 and net/http's own answers rewritten.
	others := []problemType{notAllowedProblem, headersTooLarge, starting, httpsOnPlain}
	for _, pt := range plainErrorProblems {
		others = append(others, pt)
	}
	for _, pt := range others {
		if page, ok := pageFor(pt.code); !ok || page.Status != pt.status || page.Title != pt.title {
			t.Errorf("problem %d %s %q: page %+v (found %v), want the same status and title", pt.status, pt.code, pt.title, page, ok)
		}
	}
}

// TestEveryProblemTypeResolvesToItsPage resolves each code's type URI
// against a request URL, as RFC 9457 says a client does, and reads it.
func TestEveryProblemTypeResolvesToItsPage(t *testing.T) {
	srv := httptest.NewServer(routedServer(t).Handler())
	defer srv.Close()
	base, _ := url.Parse(srv.URL + "/api/v1/bookings/b-1")
	for _, p := range problemPages {
		t.Run(p.Code, func(t *testing.T) {
			ref, err := url.Parse(problemBase + p.Code)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(base.ResolveReference(ref).String())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("%d %s, want 200 text/html", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			for _, want := range []string{p.Title, strconv.Itoa(p.Status), p.Meaning, p.Action} {
				if !strings.Contains(string(body), template.HTMLEscapeString(want)) {
					t.Errorf("the page does not say %q", want)
				}
			}
		})
	}
}

func TestAnUnknownProblemCodeIsANotFoundProblem(t *testing.T) {
	srv := httptest.NewServer(routedServer(t).Handler())
	defer srv.Close()
	resp, pr := do(t, http.MethodGet, srv.URL+"/problems/no-such-code")
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/problem+json" || pr.Code != "not-found" {
		t.Errorf("%d %s %+v, want 404 problem+json not-found", resp.StatusCode, resp.Header.Get("Content-Type"), pr)
	}
}

func TestEveryCallbackRefusalHasAPageWithItsStatusAndTitle(t *testing.T) {
	for _, p := range callbacks.Problems {
		if page, ok := pageFor(p.Code); !ok || page.Status != p.Status || page.Title != p.Title {
			t.Errorf("callback problem %d %s %q: page %+v (found %v)", p.Status, p.Code, p.Title, page, ok)
		}
	}
}
