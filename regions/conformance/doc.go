// Package conformance is the vendor kit for every region kind: what an
// MIS of kind fhir, soap, jsonrpc or feed must provide for the broker's
// adapter of that kind to work, as requirements of the kit engine
// (contracts/conformance) with stable IDs ("SOAP-BOOK-03", "RPC-ENV-01",
// "FEED-REF-01"; the fhir requirements, "FHIR-…", are the contract's own,
// contracts/misv2/conformance).
//
// The requirements drive the MIS the way the broker does, through the
// kind's adapter behind the contracts.MIS port, and check on the raw wire
// what the adapter would hide (an envelope's id, a fault's code, an
// offset). NewSuite builds one kind's requirements against a Target;
// Check runs them and returns the report; Catalog lists a kind's
// requirements (IDs, titles, ReadOnly) without a target, for the quirk
// matrix and the live probes' schedule. `federation conformance` is the
// command line over Check.
//
// Every requirement can fail: the quirk matrix test runs the kit against
// each simulator with each of its quirks (missim.Quirk) and asserts which
// requirements catch it; docs/vendors-matrix.md is written from it.
//
// The soap and jsonrpc adapters need the step ledger they use in the
// broker (Target.Ledger): the caller brings one (sagas/ledger; this
// package, on the regions side, may not import it).
package conformance
