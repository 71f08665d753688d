package conformance_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/regions/conformance"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
)

var update = flag.Bool("update", false, "rewrite docs/vendors-matrix.md from the quirk matrix")

// caught is what one quirk makes the kit fail against one kind's
// simulator: every ID of catches must fail (the requirements that check
// the promise the quirk breaks), and nothing else may fail but collateral
// (requirements that trip over the same bug on their way to checking
// something else; listed, so a new collateral failure is a decision).
type caught struct{ catches, collateral []string }

// matrix is, for every quirk and every kind whose simulator has it, what
// the kit fails. TestEveryQuirkIsCaughtByTheKit proves it; the vendor
// guide's table (docs/vendors-matrix.md) is written from it.
var matrix = map[missim.Quirk]map[contracts.RegionKind]caught{
	missim.QuirkDoubleBook: {
		fhir: {catches: ids("FHIR-HOLD-04", "FHIR-CONC-01", "FHIR-PORT-03")},
		soap: {catches: ids("SOAP-BOOK-03")},
		rpc:  {catches: ids("RPC-BOOK-03")},
	},
	missim.QuirkIgnoreIdempotency: {
		fhir: {catches: ids("FHIR-HOLD-03", "FHIR-HOLD-05", "FHIR-CONC-02", "FHIR-PORT-03")},
	},
	missim.QuirkWrongTimezone: {
		// The adapters refuse a time in another offset than the region's
		// (it would be shown to citizens as the wrong hour), so every
		// requirement that goes through one fails with the offset check.
		fhir: {catches: ids("FHIR-R4-04"), collateral: ids("FHIR-R4-05", "FHIR-PORT-01", "FHIR-PORT-02", "FHIR-PORT-03")},
		soap: {catches: ids("SOAP-SCHED-02"), collateral: ids("SOAP-PORT-01", "SOAP-BOOK-01", "SOAP-BOOK-02",
			"SOAP-BOOK-03", "SOAP-CANCEL-01", "SOAP-READ-01", "SOAP-CB-01")},
		rpc:  {catches: ids("RPC-SCHED-02"), collateral: ids("RPC-PORT-01", "RPC-BOOK-01", "RPC-BOOK-02", "RPC-BOOK-03")},
		feed: {catches: ids("FEED-TIME-01"), collateral: ids("FEED-PORT-01")},
	},
	missim.QuirkNoHoldExpiry: {
		fhir: {catches: ids("FHIR-HOLD-09", "FHIR-BOOK-06")},
	},
	missim.QuirkBookExpiredHold: {
		fhir: {catches: ids("FHIR-BOOK-06")},
	},
	missim.QuirkSlowHold: {
		fhir: {catches: ids("FHIR-PERF-01")},
	},
	missim.QuirkBadJSON: {
		// The broker's adapter finds a lost hold by its key: it cannot; nor can
		// the check that answers do not echo the patient.
		fhir: {catches: ids("FHIR-READ-03", "FHIR-READ-04"), collateral: ids("FHIR-PORT-03", "FHIR-PRIV-01")},
		// The read-back of a booking step, and a bad-params call to the
		// same method, come back cut.
		rpc: {catches: ids("RPC-READ-01"), collateral: ids("RPC-BOOK-01", "RPC-BOOK-02", "RPC-ENV-03")},
	},
	missim.QuirkMissingRequired: {
		// The lapse check reads the hold back by id, and so does the check
		// that answers do not echo the patient.
		fhir: {catches: ids("FHIR-READ-01", "FHIR-R4-05"), collateral: ids("FHIR-HOLD-09", "FHIR-PRIV-01")},
		// Without a Session_ID nothing can be booked or read back.
		soap: {catches: ids("SOAP-PATIENT-01"), collateral: ids("SOAP-BOOK-01", "SOAP-BOOK-02", "SOAP-BOOK-03",
			"SOAP-CANCEL-01", "SOAP-READ-01", "SOAP-CB-01")},
		rpc:  {catches: ids("RPC-SCHED-01"), collateral: ids("RPC-PORT-01")},
		feed: {catches: ids("FEED-NDJSON-01")},
	},
	missim.QuirkWrongStatusCode: {
		fhir: {catches: ids("FHIR-HOLD-08", "FHIR-BOOK-05", "FHIR-CANCEL-04", "FHIR-READ-02")},
	},
	missim.QuirkUnsignedCallback: {
		fhir: {catches: ids("FHIR-CB-01")},
		soap: {catches: ids("SOAP-CB-01")},
	},
	missim.QuirkNoInclude: {
		// The actor checks of the practitioner and location searches, the
		// SNILS check and the adapter follow the includes.
		fhir: {catches: ids("FHIR-SEARCH-01", "FHIR-R4-02"), collateral: ids("FHIR-SEARCH-05", "FHIR-SEARCH-06",
			"FHIR-META-04", "FHIR-PORT-01")},
	},
	missim.QuirkUnsorted: {
		fhir: {catches: ids("FHIR-SEARCH-02")},
		soap: {catches: ids("SOAP-SCHED-01")},
	},
	missim.QuirkIgnoreCount: {
		fhir: {catches: ids("FHIR-SEARCH-03")},
		soap: {catches: ids("SOAP-SCHED-01")},
		rpc:  {catches: ids("RPC-SCHED-01")},
	},
	missim.QuirkIgnoreFilters: {
		fhir: {catches: ids("FHIR-SEARCH-04", "FHIR-SEARCH-05", "FHIR-SEARCH-06")},
	},
	missim.QuirkUTCDates: {
		fhir: {catches: ids("FHIR-SEARCH-07")},
	},
	missim.QuirkWrongSlotRead: {
		// Every check that reads a slot back by id (taken, freed) reads
		// another one.
		fhir: {catches: ids("FHIR-SEARCH-08"), collateral: ids("FHIR-HOLD-02", "FHIR-HOLD-09", "FHIR-BOOK-01",
			"FHIR-CANCEL-01", "FHIR-CANCEL-02", "FHIR-PORT-01", "FHIR-PORT-02")},
		soap: {catches: ids("SOAP-SCHED-03"), collateral: ids("SOAP-PORT-01", "SOAP-BOOK-01", "SOAP-CANCEL-01")},
		rpc:  {catches: ids("RPC-SCHED-03"), collateral: ids("RPC-PORT-01", "RPC-BOOK-01")},
	},
	missim.QuirkNoScheduleActor: {
		feed: {catches: ids("FEED-NDJSON-02"), collateral: ids("FEED-PORT-01")},
	},
	missim.QuirkBareIdentifier: {
		fhir: {catches: ids("FHIR-R4-03")},
	},
	missim.QuirkNoMetadata: {
		// The definitions are found through the CapabilityStatement.
		fhir: {catches: ids("FHIR-META-01"), collateral: ids("FHIR-META-02")},
		soap: {catches: ids("SOAP-WSDL-01")},
		rpc:  {catches: ids("RPC-DISCOVER-01")},
	},
	missim.QuirkMissingDefinitions: {
		fhir: {catches: ids("FHIR-META-02")},
	},
	missim.QuirkUncodedSpecialty: {
		// The search by specialty asks for the code the slot shows.
		fhir: {catches: ids("FHIR-META-03"), collateral: ids("FHIR-SEARCH-04")},
	},
	missim.QuirkSNILSOnRole: {
		fhir: {catches: ids("FHIR-META-04")},
	},
	missim.QuirkEchoPatient: {
		fhir: {catches: ids("FHIR-PRIV-01")},
	},
	missim.QuirkOpenAccess: {
		fhir: {catches: ids("FHIR-AUTH-01")},
		soap: {catches: ids("SOAP-AUTH-01")},
		rpc:  {catches: ids("RPC-AUTH-01")},
	},
	missim.QuirkNoHoldKey: {
		// Those checks take the key a hold answered with.
		fhir: {catches: ids("FHIR-HOLD-01"), collateral: ids("FHIR-HOLD-05", "FHIR-READ-03")},
	},
	missim.QuirkHeldStillFree: {
		// FHIR-HOLD-05 when its "another" free slot is the one its key
		// already holds, which this quirk still offers: the repeat is then
		// rightly answered 200.
		fhir: {catches: ids("FHIR-HOLD-02"), collateral: ids("FHIR-PORT-02", "FHIR-HOLD-05")},
	},
	missim.QuirkOptionalKey: {
		fhir: {catches: ids("FHIR-HOLD-06", "FHIR-BOOK-04")},
	},
	missim.QuirkLaxHoldParams: {
		fhir: {catches: ids("FHIR-HOLD-07")},
	},
	missim.QuirkBookStaysPending: {
		// A booking the MIS never made: its repeat, its read, its callback
		// and the adapter's book all see a hold.
		fhir: {catches: ids("FHIR-BOOK-01"), collateral: ids("FHIR-BOOK-02", "FHIR-READ-01", "FHIR-CB-01", "FHIR-PORT-02")},
	},
	missim.QuirkBookNotIdempotent: {
		fhir: {catches: ids("FHIR-BOOK-02")},
	},
	missim.QuirkBookCancelled: {
		// A lapsed hold reads cancelled: booked alike.
		fhir: {catches: ids("FHIR-BOOK-03", "FHIR-BOOK-06")},
	},
	missim.QuirkCancelKeepsSlot: {
		fhir: {catches: ids("FHIR-CANCEL-01", "FHIR-CANCEL-02"), collateral: ids("FHIR-PORT-02")},
		// The repeated-cancel checks read the slot free afterwards.
		soap: {catches: ids("SOAP-BOOK-01"), collateral: ids("SOAP-CANCEL-01")},
		rpc:  {catches: ids("RPC-BOOK-01"), collateral: ids("RPC-CANCEL-01")},
	},
	missim.QuirkCancelNotIdempotent: {
		// The adapter's cancel is retried, as a saga's step is.
		fhir: {catches: ids("FHIR-CANCEL-03"), collateral: ids("FHIR-PORT-02")},
		rpc:  {catches: ids("RPC-CANCEL-01"), collateral: ids("RPC-BOOK-01")},
	},
	missim.QuirkWrongFault: {
		soap: {catches: ids("SOAP-FAULT-01", "SOAP-DIR-03", "SOAP-SCHED-04", "SOAP-BOOK-03")},
		rpc:  {catches: ids("RPC-ENV-02", "RPC-ENV-03", "RPC-ENV-04", "RPC-BOOK-03", "RPC-CANCEL-02")},
	},
	missim.QuirkIDNotEchoed: {
		// The adapter matches every answer to its call by id.
		rpc: {catches: ids("RPC-ENV-01"), collateral: ids("RPC-ENV-02", "RPC-ENV-03", "RPC-DISCOVER-01", "RPC-SCHED-01",
			"RPC-SCHED-02", "RPC-SCHED-03", "RPC-PORT-01", "RPC-BOOK-01", "RPC-BOOK-02", "RPC-BOOK-03", "RPC-CANCEL-01",
			"RPC-CANCEL-02", "RPC-READ-01")},
	},
	missim.QuirkBadManifest: {
		feed: {catches: ids("FEED-MANIFEST-01"), collateral: ids("FEED-PORT-01")},
	},
	missim.QuirkIncompleteManifest: {
		// The checks of the Location lines find none.
		feed: {catches: ids("FEED-MANIFEST-02"), collateral: ids("FEED-NDJSON-01", "FEED-REF-01", "FEED-PORT-01")},
	},
	missim.QuirkDanglingReference: {
		feed: {catches: ids("FEED-REF-01"), collateral: ids("FEED-PORT-01")},
	},
	missim.QuirkBadNDJSON: {
		// The kit reads the whole feed before each check: a line that is
		// not JSON fails them all.
		feed: {catches: ids("FEED-NDJSON-03"), collateral: ids("FEED-MANIFEST-01", "FEED-MANIFEST-02", "FEED-NDJSON-01",
			"FEED-NDJSON-02", "FEED-REF-01", "FEED-TIME-01", "FEED-PORT-01")},
	},
	missim.QuirkNoCacheHeaders: {
		feed: {catches: ids("FEED-CACHE-01")},
	},
}

// Short names of the kinds for the table above.
const (
	fhir = contracts.RegionFHIR
	soap = contracts.RegionSOAP
	rpc  = contracts.RegionJSONRPC
	feed = contracts.RegionFeed
)

func ids(xs ...string) []string { return xs }

// noQuirk says, for each requirement no quirk fails, why: what bug of an
// MIS fails it, which no simulator has on purpose yet, or why none can.
var noQuirk = map[string]string{
	"FHIR-R4-01": "no quirk: the kit checks every search answer against the contract's OpenAPI, which requires Slot.schedule, start, end and Schedule.actor, " +
		"so an MIS without one fails every search-based requirement first; FHIR-R4-01 names the R4 rule for a reviewer",
	"FHIR-PORT-01": "collateral only: it fails on whatever the broker's adapter refuses in a search (wrong-timezone, no-include, wrong-slot-read)",
	"FHIR-PORT-02": "collateral only: it fails on whatever the broker's adapter refuses in hold, book or cancel",
	"SOAP-DIR-01": "no quirk yet: no simulator lists an organisation under an OID of another form or twice; " +
		"the adapter searches by whatever MO_OID it is given, so only this requirement would fail",
	"SOAP-DIR-02":    "no quirk yet: no simulator answers posts its own schedule contradicts",
	"SOAP-PORT-01":   "collateral only: it fails on whatever the broker's adapter refuses in a search",
	"SOAP-BOOK-02":   "collateral only: the adapter reads back before it repeats a step, so an MIS bug shows as a failed session or read-back first",
	"SOAP-CANCEL-01": "collateral only: fails on a repeated cancel not answered CANCELLED, or a slot not freed (cancel-keeps-slot)",
	"SOAP-READ-01":   "collateral only: fails when GetPatientAppointments does not read the appointment back (missing-required, wrong-timezone)",
	"RPC-PORT-01":    "collateral only: it fails on whatever the broker's adapter refuses in a search",
	"RPC-BOOK-02":    "collateral only: the adapter reads back before it repeats a step, so an MIS bug shows as a failed read-back first (bad-json)",
	"FEED-PORT-01":   "collateral only: it fails on whatever the broker's feed reader refuses",
}

// uncaught says, for each quirk no requirement fails, why none can: the
// quirk is there for the broker's adapter's tests.
var uncaught = map[missim.Quirk]string{
	missim.QuirkIncompleteDirectory: "none: the kit knows the region's organisations only from GetMOInfoExtended, so one left out " +
		"looks like one that does not exist; regions/soap's tests hold the adapter to finding its slots when a search names it",
}

// quirkTarget starts kind's simulator with q and returns the kit's target.
// The simulators are smaller than the fleet's (two polyclinics of two
// doctors): some sixty kits run at once, and a day's search, which the kit
// checks against the contract's OpenAPI, is then a ninth as long; and with
// fewer doctors than SOAP-SCHED-01's Max_Count of 5 a page spans two
// starts, so a page answered latest first is seen out of order.
// A slow hold must not outlive its own hold, so slow-hold runs with holds
// of slowHoldTTL, and the lapse requirements (which would wait that long)
// are skipped for it.
func quirkTarget(t *testing.T, k contracts.RegionKind, q missim.Quirk) conformance.Target {
	token := "s3cret"
	if k == contracts.RegionFeed {
		token = ""
	}
	cfg := missim.Config{BearerToken: token, HoldTTL: matrixHoldTTL, Quirks: missim.Quirks{q},
		Facilities: 2, PractitionersPerFacility: 2}
	region := regionOf(t, k)
	switch q {
	case missim.QuirkSlowHold:
		cfg.HoldTTL = slowHoldTTL
	case missim.QuirkUTCDates:
		region = farEast(t)
	}
	target, _ := startIn(t, region, cfg)
	if q == missim.QuirkSlowHold {
		target.MaxHoldWait = time.Second
	}
	return target
}

// farEast is a FHIR region whose working day starts before UTC midnight
// (Vladivostok, UTC+10: 08:00 is 22:00Z the day before), where a date
// search read in UTC days finds the wrong slots; in Europe/Moscow every
// working hour falls on the same UTC date.
func farEast(t *testing.T) fleet.Region {
	t.Helper()
	for _, r := range fleet.Regions {
		if r.Kind == contracts.RegionFHIR && r.TimeZone == "Asia/Vladivostok" {
			return r
		}
	}
	t.Fatal("the fleet has no FHIR region in Asia/Vladivostok")
	return fleet.Region{}
}

// matrixHoldTTL is the hold lifetime of the matrix's simulators: twice
// testHoldTTL, as some sixty kits share the cores and a hold must not
// lapse between a check's hold and its search for the slot.
const matrixHoldTTL = 2 * testHoldTTL

// slowHoldTTL is the hold lifetime of the slow-hold case: well past
// missim.SlowHoldDelay, so a hold answered late is still live.
const slowHoldTTL = 4 * missim.SlowHoldDelay

// Every quirk of every simulator makes the kit fail the requirements that
// check the promise it breaks, and nothing but the documented collateral.
// The cases run at once (most of their time is waiting for holds to
// lapse and for the slow holds), whatever go test's -parallel, so the
// whole matrix takes about as long as its slowest case.
func TestEveryQuirkIsCaughtByTheKit(t *testing.T) {
	type run struct {
		q    missim.Quirk
		k    contracts.RegionKind
		rep  kit.Report
		err  error
		took time.Duration
	}
	var runs []*run
	var wg sync.WaitGroup
	for _, q := range missim.KnownQuirks() {
		for _, k := range missim.QuirkKinds(q) {
			r := &run{q: q, k: k}
			runs = append(runs, r)
			target := quirkTarget(t, k, q)
			wg.Go(func() {
				began := time.Now()
				r.rep, r.err = conformance.Check(context.Background(), target, kit.Options{})
				r.took = time.Since(began)
			})
		}
	}
	wg.Wait()
	for _, r := range runs {
		t.Run(string(r.q)+"/"+string(r.k), func(t *testing.T) {
			t.Logf("the kit took %s", r.took.Round(time.Millisecond))
			if r.err != nil {
				t.Fatal(r.err)
			}
			var failed []string
			for _, res := range r.rep.Results {
				if res.Status == kit.StatusFail {
					failed = append(failed, res.ID)
					t.Logf("%s: %s", res.ID, strings.Join(res.Evidence, " | "))
				}
			}
			want := matrix[r.q][r.k]
			for _, id := range want.catches {
				if !slices.Contains(failed, id) {
					t.Errorf("%s against %s passed %s, which must catch it", r.q, r.k, id)
				}
			}
			for _, id := range failed {
				if !slices.Contains(want.catches, id) && !slices.Contains(want.collateral, id) {
					t.Errorf("%s against %s failed %s, neither a catch nor listed collateral", r.q, r.k, id)
				}
			}
		})
	}
}

// caughtBy lists the quirks that must fail id (catches) and those that
// fail it on their way (collateral), "quirk (kind)" each.
func caughtBy(id string) (catches, collateral []string) {
	for _, q := range missim.KnownQuirks() {
		for _, k := range missim.QuirkKinds(q) {
			c := matrix[q][k]
			if slices.Contains(c.catches, id) {
				catches = append(catches, string(q))
			}
			if slices.Contains(c.collateral, id) {
				collateral = append(collateral, string(q))
			}
		}
	}
	return catches, collateral
}

// matrixDoc is docs/vendors-matrix.md, written from the catalog, matrix
// and noQuirk.
func matrixDoc(t *testing.T) []byte {
	var b strings.Builder
	b.WriteString("<!-- Generated by `go test ./regions/conformance -run TestTheQuirkMatrixDocIsCurrent -update`; do not edit. -->\n\n")
	b.WriteString("# Quirk ↔ requirement matrix\n\n")
	b.WriteString("Every requirement of the kit, and the simulator quirks (`federation missim --quirk NAME`) that make it fail. ")
	b.WriteString("**catches**: the quirk breaks the promise the requirement checks; the quirk matrix test " +
		"(`TestEveryQuirkIsCaughtByTheKit`) proves the requirement fails. *collateral*: it fails on the way, as a " +
		"requirement that goes through the broker's adapter fails on whatever the adapter refuses. " +
		"A requirement no quirk fails says why.\n\n")
	b.WriteString("## By quirk\n\n| quirk | kind | caught by | collateral |\n|---|---|---|---|\n")
	for _, q := range missim.KnownQuirks() {
		for _, k := range missim.QuirkKinds(q) {
			c := matrix[q][k]
			by := strings.Join(c.catches, ", ")
			if by == "" {
				by = uncaught[q]
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", q, k, by, orDash(strings.Join(c.collateral, ", ")))
		}
	}
	for _, k := range conformance.Kinds {
		reqs, err := conformance.Catalog(k)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "\n## Kind %s\n\n| requirement | title | required | read-only | failed by |\n|---|---|---|---|---|\n", k)
		for _, r := range reqs {
			catches, collateral := caughtBy(r.ID)
			var by []string
			for _, q := range catches {
				by = append(by, "**"+q+"**")
			}
			for _, q := range collateral {
				by = append(by, "*"+q+"* (collateral)")
			}
			if len(catches) == 0 {
				by = append(by, noQuirk[r.ID])
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.ID, strings.ReplaceAll(r.Title, "|", "\\|"), yes(r.Required), yes(r.ReadOnly), strings.Join(by, "; "))
		}
	}
	return []byte(b.String())
}

func yes(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// Every requirement is caught by some quirk or says why none fails it, no
// reason outlives its requirement, and docs/vendors-matrix.md is what the
// matrix says (-update rewrites it).
func TestTheQuirkMatrixDocIsCurrent(t *testing.T) {
	known := map[string]bool{}
	for _, k := range conformance.Kinds {
		reqs, _ := conformance.Catalog(k)
		for _, r := range reqs {
			known[r.ID] = true
			catches, _ := caughtBy(r.ID)
			switch _, reason := noQuirk[r.ID]; {
			case len(catches) == 0 && !reason:
				t.Errorf("%s: no quirk catches it and noQuirk gives no reason", r.ID)
			case len(catches) > 0 && reason:
				t.Errorf("%s: caught by %v, yet noQuirk says why nothing does", r.ID, catches)
			}
		}
	}
	for id := range noQuirk {
		if !known[id] {
			t.Errorf("noQuirk names %s, which no kind has", id)
		}
	}
	for _, q := range missim.KnownQuirks() {
		caughtAnywhere := false
		for _, k := range missim.QuirkKinds(q) {
			caughtAnywhere = caughtAnywhere || len(matrix[q][k].catches) > 0
		}
		switch _, reason := uncaught[q]; {
		case !caughtAnywhere && !reason:
			t.Errorf("quirk %s: no requirement catches it and uncaught gives no reason", q)
		case caughtAnywhere && reason:
			t.Errorf("quirk %s: caught, yet uncaught says why nothing does", q)
		}
	}
	for q, byKind := range matrix {
		for k, c := range byKind {
			if !slices.Contains(missim.QuirkKinds(q), k) {
				t.Errorf("the matrix lists %s for kind %s, whose simulator has no such quirk", q, k)
			}
			for _, id := range append(slices.Clone(c.catches), c.collateral...) {
				if !known[id] {
					t.Errorf("the matrix lists %s under %s, which no kind has", id, q)
				}
			}
		}
	}
	path := filepath.Join("..", "..", "docs", "vendors-matrix.md")
	doc := matrixDoc(t)
	if *update {
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != string(doc) {
		t.Errorf("%s is not current (%v): run go test ./regions/conformance -run TestTheQuirkMatrixDocIsCurrent -update", path, err)
	}
}
