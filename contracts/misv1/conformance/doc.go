// Package conformance is the contract misv1 conformance suite: the tests a
// regional MIS must pass before go-live and continuously after. Vendors run
// it against their endpoint; the reference simulator runs it in its own
// tests, so the reference and the suite cannot disagree.
//
// Each subtest is named after the requirement it checks, so `go test -v`
// prints a report requirement by requirement. Tests find their own free
// slots through search and cancel what they hold, so the suite can run
// against a live system (use a test patient the MIS knows, see Target).
//
// Usage from a vendor's test:
//
//	func TestContract(t *testing.T) {
//		conformance.Run(t, conformance.Target{BaseURL: "https://mis.example/fhir", BearerToken: token})
//	}
//
// or, without writing Go, from this repository:
//
//	go test ./contracts/misv1/conformance -v -args -mis.url=https://mis.example/fhir -mis.token=...
package conformance
