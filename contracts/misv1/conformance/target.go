package conformance

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts/misv1"
)

// Target is the MIS under test.
type Target struct {
	// BaseURL is the contract's base: operations are BaseURL+"/Slot", ….
	BaseURL string
	// BearerToken, when set, is sent on every call; the suite then also
	// checks that calls without it are refused with 401.
	BearerToken string
	// HTTPClient makes the calls; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Patient are the identifiers sent in $hold. Nil means a synthetic
	// patient with a valid SNILS and OMS number; against a live MIS use a
	// test patient it knows and that may book every specialty searched.
	Patient []misv1.Identifier
	// SlotQuery is added to every search the suite makes to find free slots
	// (for example "service-type=therapist&location=L-1"), to keep the suite
	// to slots set aside for testing. Empty means any free slot.
	SlotQuery string
}

// requirement is one check of the contract, named as a sentence.
type requirement struct {
	name string
	run  func(t *testing.T, c *client)
}

// Run checks target against every requirement of contract misv1, one
// subtest per requirement, in a fixed order.
func Run(t *testing.T, target Target) {
	t.Helper()
	if target.BaseURL == "" {
		t.Fatal("conformance: Target.BaseURL is required")
	}
	c := newClient(target)
	for _, group := range [][]requirement{
		searchRequirements, holdRequirements, bookRequirements,
		cancelRequirements, readRequirements, concurrencyRequirements, authRequirements,
	} {
		for _, r := range group {
			t.Run(r.name, func(t *testing.T) { r.run(t, c) })
		}
	}
}

func newClient(target Target) *client {
	hc := target.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	p := target.Patient
	if p == nil {
		p = syntheticPatient()
	}
	return &client{
		base: strings.TrimSuffix(target.BaseURL, "/"), token: target.BearerToken,
		hc: hc, patient: p, slotQuery: target.SlotQuery, run: runID(),
	}
}
