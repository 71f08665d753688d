// Package conformance is the contract misv2 conformance suite: the
// requirements a regional MIS of kind fhir must meet before go-live and
// continuously after. Vendors run it against their endpoint; the reference
// simulator runs it in its own tests, so the reference and the suite
// cannot disagree.
//
// Each requirement has a stable ID ("FHIR-HOLD-03") and a title, and runs
// on the kit engine (contracts/conformance): Requirements returns them
// bound to a Target, for a report (kit.Run) or as subtests (Run, which is
// kit.RunTest: `go test -v` prints a report requirement by requirement).
// Besides the operations themselves, every answer the suite receives is
// validated against openapi.yaml (kin-openapi: status, media type, body
// schema; a mismatch fails the requirement that made the call, with the
// request line and the validator's message), every request the suite
// sends is validated against it before it goes (a mismatch is the kit's
// fault and never reaches the MIS; the few requests that break the
// contract on purpose to test a refusal say so: sendOffContract), and the
// FHIR-R4-* rules check
// required elements, references that resolve within a Bundle, identifiers
// with systems and instants in the region's offset (Target.TimeZone).
// Requirements marked ReadOnly hold, book and cancel nothing; the others
// find their own free slots through search and cancel what they hold, so
// the suite can run against a live system (use a test patient the MIS
// knows, see Target).
//
// # The command line
//
// Without writing Go, a vendor runs the kit with the broker's binary:
//
//	federation conformance --kind fhir --mis-url https://mis.example/fhir \
//	    --token "$TOKEN" --region 54 --report-dir out/
//
// It prints one line per requirement (ID, title, PASS/FAIL/SKIP and the
// evidence of a failure), a summary and the latency of each operation, and
// writes out/report.xml (JUnit, for CI), out/report.json and
// out/report.html (a self-contained page to attach to a go-live request).
// It exits 1 when a required check failed and 2 on a bad command line.
// --region finds the region's time zone in the sample region table
// (--time-zone names it directly); --only FHIR-HOLD-03,FHIR-BOOK-01 runs
// some requirements, --read-only only those safe against production;
// --tls-cert/--tls-key/--tls-ca replace the token with mutual TLS;
// --hold-wait bounds the wait for a hold to lapse (FHIR-HOLD-09,
// FHIR-BOOK-06); --callback-listen with --callback-secret-file starts the
// receiver of FHIR-CB-01 (CallbackCheck). docs/vendors.md is the guide. The
// same command checks the other kinds (--kind soap|jsonrpc|feed, their
// requirements in regions/conformance).
//
// Usage from a vendor's Go test:
//
//	func TestContract(t *testing.T) {
//		conformance.Run(t, conformance.Target{BaseURL: "https://mis.example/fhir", BearerToken: token})
//	}
//
// or, with a checkout of this repository:
//
//	go test ./contracts/misv2/conformance -v -args -mis.url=https://mis.example/fhir -mis.token=...
package conformance
