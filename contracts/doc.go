// Package contracts owns what the broker's parts agree on and nothing else:
// the error vocabulary (a closed set of kinds, KindOf, and the documented
// sentinel errors, from which the breaker, the retry rule, dead-lettering,
// the citizen's reasons and the HTTP problems all derive), the port through
// which sagas reach a regional MIS (MIS), the region model shown to
// citizens, the versioned messages the sagas exchange over Kafka (a
// message from a newer version is ErrUnsupported, never ErrInvalid, so it
// survives a rolling deploy), and the scheme of the idempotency keys they
// send to an MIS (StepKey).
//
// The wire contract with MIS vendors (FHIR R4 JSON over HTTP, OpenAPI 3.1)
// lives in the subpackage misv2. This package imports none of the project's
// other packages; every other package may import it.
package contracts
