// Package conformance is the kind-neutral engine of the vendor kit: it
// runs a list of requirements (checks of what a regional MIS must
// provide, each with a stable ID) against a target and turns the outcome
// into a Report, written as JUnit XML, JSON or a self-contained HTML page.
//
// It owns the requirement model (Requirement, T), the run (Run: order,
// one goroutine per requirement, per-requirement timeout, panics caught),
// the latency figures the kinds' clients record through a Recorder, and
// the report formats. It knows no kind of MIS: the FHIR requirements live
// beside their contract (contracts/misv2/conformance), the SOAP, JSON-RPC
// and feed requirements beside their adapters (regions/conformance).
//
// The same requirement code runs under `go test` (RunTest, where T is the
// subtest's *testing.T) and under the engine (the `federation conformance`
// command, the broker's live probes).
package conformance
