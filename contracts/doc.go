// Package contracts owns what the broker's parts agree on and nothing else:
// the documented sentinel errors, the port through which sagas reach a
// regional MIS (MIS), the region model shown to citizens, the versioned
// messages the sagas exchange over Kafka, and the scheme of the idempotency
// keys they send to an MIS (StepKey).
//
// The wire contract with MIS vendors (FHIR R4 JSON over HTTP, OpenAPI 3.1)
// lives in the subpackage misv1. This package imports none of the project's
// other packages; every other package may import it.
package contracts
