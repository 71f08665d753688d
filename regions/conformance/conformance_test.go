package conformance_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	kit "github.com/fedhealth/federation/contracts/conformance"
	fhirkit "github.com/fedhealth/federation/contracts/misv2/conformance"
	"github.com/fedhealth/federation/regions/conformance"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

// regionOf is the fleet's sample region of kind k.
func regionOf(t *testing.T, k contracts.RegionKind) fleet.Region {
	t.Helper()
	for _, r := range fleet.Regions {
		if r.Kind == k || (k == contracts.RegionFHIR && r.Kind == "") {
			return r
		}
	}
	t.Fatalf("the fleet has no region of kind %s", k)
	return fleet.Region{}
}

// testHoldTTL is the simulators' hold lifetime in these tests: short, so
// the lapse requirements (FHIR-HOLD-09, FHIR-BOOK-06) wait seconds, and
// long enough for a hold to be booked on two busy cores.
const testHoldTTL = 1500 * time.Millisecond

// testSecret signs the simulators' callbacks to the kit's receiver.
const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// start runs the fleet's simulator of kind k on loopback, with quirks,
// and returns the kit's target for it, with a real SQLite step ledger
// and a callback receiver that the simulator's clinic is asked to call.
func start(t *testing.T, k contracts.RegionKind, token string, quirks ...missim.Quirk) (conformance.Target, *fleet.Simulator) {
	t.Helper()
	return startWithTTL(t, k, token, testHoldTTL, quirks...)
}

// startWithTTL is start with holds that last ttl.
func startWithTTL(t *testing.T, k contracts.RegionKind, token string, ttl time.Duration, quirks ...missim.Quirk) (conformance.Target, *fleet.Simulator) {
	t.Helper()
	return startIn(t, regionOf(t, k), missim.Config{BearerToken: token, HoldTTL: ttl, Quirks: quirks})
}

// startIn is start for the fleet's region r, its simulator configured by
// cfg (the region, its zone and the seed are r's and the tests').
func startIn(t *testing.T, r fleet.Region, cfg missim.Config) (conformance.Target, *fleet.Simulator) {
	t.Helper()
	k := r.Kind
	if k == "" {
		k = contracts.RegionFHIR
	}
	token := cfg.BearerToken
	cfg.Region, cfg.TimeZone, cfg.Seed = r.Code, r.TimeZone, 11
	sim, err := fleet.Start(r, cfg, "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	db, _ := sqldbtest.SQLite(t)
	l, err := ledger.New(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	url := sim.URL
	if k == contracts.RegionSOAP || k == contracts.RegionJSONRPC {
		url += "/"
	}
	return conformance.Target{Kind: k, URL: url, BearerToken: token, Ledger: l, Timeout: 5 * time.Second,
		Region:   contracts.Region{Code: r.Code, Name: r.Name, TimeZone: r.TimeZone, Kind: k},
		Callback: clinicCallback(t, sim)}, sim
}

// clinicCallback is the kit's callback receiver for sim: asked, it points
// the simulator's callbacks at the receiver and cancels the appointment at
// the clinic, as a vendor would by hand. Nil for a kind that sends none.
func clinicCallback(t *testing.T, sim *fleet.Simulator) *fhirkit.CallbackCheck {
	if !sim.SendsCallbacks() {
		return nil
	}
	return &fhirkit.CallbackCheck{Listen: "127.0.0.1:0", Secrets: []string{testSecret}, Wait: 10 * time.Second,
		Ask: func(a fhirkit.CallbackAsk) {
			if err := sim.SetCallback(missim.CallbackTarget{URL: a.URL, Secret: testSecret}); err != nil {
				t.Error(err)
				return
			}
			resp, err := http.Post(sim.URL+"/admin/appointments/"+a.AppointmentID+"/status", "application/json",
				strings.NewReader(`{"status":"cancelled","reason":"clinic_closed"}`))
			if err != nil {
				t.Errorf("the clinic's change of %s: %v", a.AppointmentID, err)
				return
			}
			_ = resp.Body.Close()
		}}
}

// Every kind's simulator meets every requirement of its kind, as subtests
// named by requirement ID.
func TestEachKindsSimulatorMeetsItsRequirements(t *testing.T) {
	for _, k := range conformance.Kinds {
		t.Run(string(k), func(t *testing.T) {
			token := "s3cret" // every kind that books checks its token; a publisher is public
			if k == contracts.RegionFeed {
				token = ""
			}
			target, _ := start(t, k, token)
			s, err := conformance.NewSuite(target)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			kit.RunTest(t, s.Requirements)
		})
	}
}

// The catalog is what the quirk matrix and the live probes refer to:
// stable, well-formed, unique IDs, the same list a suite runs.
func TestTheCatalogNamesEachRequirementOnceWithAStableID(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range conformance.Kinds {
		reqs, err := conformance.Catalog(k)
		if err != nil {
			t.Fatal(err)
		}
		ro, _ := conformance.ReadOnlyIDs(k)
		if len(reqs) < 5 || len(ro) == 0 {
			t.Errorf("%s: %d requirements, %d read-only; want a real list with a read-only subset", k, len(reqs), len(ro))
		}
		for _, r := range reqs {
			if !kit.ValidID(r.ID) || seen[r.ID] || r.Title == "" {
				t.Errorf("%s: requirement %q (%q) is malformed or listed twice", k, r.ID, r.Title)
			}
			seen[r.ID] = true
		}
	}
	if _, err := conformance.Catalog("hl7v2"); err == nil {
		t.Error("an unknown kind has a catalog")
	}
}

// A region placed in the wrong time zone is caught by each kind's offset
// requirement: the check can fail, and names what it saw.
func TestAWrongTimeZoneFailsEachKindsOffsetRequirement(t *testing.T) {
	for k, id := range map[contracts.RegionKind]string{
		contracts.RegionFHIR: "FHIR-R4-04", contracts.RegionSOAP: "SOAP-SCHED-02",
		contracts.RegionJSONRPC: "RPC-SCHED-02", contracts.RegionFeed: "FEED-TIME-01",
	} {
		t.Run(string(k), func(t *testing.T) {
			target, _ := start(t, k, "")
			target.Region.TimeZone = "America/New_York"
			rep, err := conformance.Check(context.Background(), target, kit.Options{Only: []string{id}})
			if err != nil {
				t.Fatal(err)
			}
			if r := rep.Results[0]; r.Status != kit.StatusFail || len(r.Evidence) == 0 || rep.OK() {
				t.Errorf("%s in the wrong zone: %s, evidence %q; want a failure", id, r.Status, r.Evidence)
			} else {
				t.Logf("%s: %s", id, r.Evidence[0])
			}
		})
	}
}

func TestABadTargetIsRefusedBeforeAnyCall(t *testing.T) {
	for name, target := range map[string]conformance.Target{
		"no URL":                 {Kind: contracts.RegionFHIR},
		"soap without time zone": {Kind: contracts.RegionSOAP, URL: "http://127.0.0.1:1/"},
		"jsonrpc without ledger": {Kind: contracts.RegionJSONRPC, URL: "http://127.0.0.1:1/", Region: contracts.Region{TimeZone: "Europe/Moscow"}},
		"an unknown time zone":   {Kind: contracts.RegionFeed, URL: "http://127.0.0.1:1", Region: contracts.Region{TimeZone: "Mars/Olympus"}},
	} {
		if _, err := conformance.NewSuite(target); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
