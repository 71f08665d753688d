package conformance

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
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
	Patient []misv2.Identifier
	// SlotQuery is added to every search the suite makes to find free slots
	// (for example "specialty=27&location=L-1"), to keep the suite
	// to slots set aside for testing. Empty means any free slot.
	SlotQuery string
	// TimeZone is the region's IANA time zone ("Europe/Moscow"): every
	// instant must carry its UTC offset. Empty skips that check.
	TimeZone string
	// Recorder, when set, receives the latency of every call, by
	// operation ("GET /Slot", "POST /Appointment/$hold").
	Recorder *kit.Recorder
	// MaxHoldWait is how long FHIR-HOLD-09 and FHIR-BOOK-06 may wait for a
	// hold to lapse (default DefaultMaxHoldWait); a hold that lasts longer
	// skips them.
	MaxHoldWait time.Duration
	// Callback, when set, receives the MIS's status callbacks for
	// FHIR-CB-01; nil skips it.
	Callback *CallbackCheck
}

// requirement is one check of the contract; the list below turns each
// into a kit.Requirement bound to one client.
type requirement struct {
	id, title string
	// recommended marks a check whose failure does not fail the run.
	recommended bool
	// readOnly marks a check that holds, books and cancels nothing.
	readOnly bool
	run      func(t kit.T, c *client)
}

// groups are the requirements in the order they run.
var groups = [][]requirement{
	searchRequirements, r4Requirements, holdRequirements, bookRequirements,
	cancelRequirements, readRequirements, privacyRequirements, concurrencyRequirements, authRequirements,
	metadataRequirements, expiryRequirements, perfRequirements, callbackRequirements,
}

// Requirements returns every requirement of contract misv2 against
// target, in a fixed order, with stable IDs "FHIR-AREA-NN". Run them with
// kit.Run (a report) or kit.RunTest (subtests); the ReadOnly ones are safe
// against production.
func Requirements(target Target) []kit.Requirement {
	c := newClient(target)
	var out []kit.Requirement
	for _, group := range groups {
		for _, r := range group {
			out = append(out, kit.Requirement{ID: r.id, Title: r.title, Required: !r.recommended,
				ReadOnly: r.readOnly, Run: func(t kit.T) { r.run(t, c) }})
		}
	}
	return out
}

// Run checks target against every requirement of contract misv2, one
// subtest per requirement ("FHIR-HOLD-03 Repeated hold …"), in a fixed order.
func Run(t *testing.T, target Target) {
	t.Helper()
	if target.BaseURL == "" {
		t.Fatal("conformance: Target.BaseURL is required")
	}
	kit.RunTest(t, Requirements(target))
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
	var loc *time.Location
	if target.TimeZone != "" {
		loc, _ = time.LoadLocation(target.TimeZone) // a zone that does not load fails FHIR-R4-04
	}
	wait := target.MaxHoldWait
	if wait <= 0 {
		wait = DefaultMaxHoldWait
	}
	base := strings.TrimSuffix(target.BaseURL, "/")
	var basePath string
	if u, err := url.Parse(base); err == nil {
		basePath = u.Path
	}
	return &client{
		base: base, basePath: basePath, token: target.BearerToken,
		hc: hc, patient: p, slotQuery: target.SlotQuery, run: runID(),
		zone: target.TimeZone, loc: loc, rec: target.Recorder,
		maxHoldWait: wait, callback: target.Callback,
	}
}
