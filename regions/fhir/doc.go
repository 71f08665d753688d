// Package fhir owns the broker's side of the real-time contract with a
// regional MIS (contracts/misv2): it turns contracts.MIS calls into FHIR JSON
// over HTTP, retries what is safe to retry, and maps HTTP answers to the
// sentinel errors of package contracts. It is the only place in the broker
// that knows which HTTP status means which error.
//
// Retries follow one rule: a request is repeated only when repeating it
// cannot change the outcome. GETs are repeated on connection errors, 429 and
// 5xx; POSTs only because every one of them carries an Idempotency-Key, and
// never on a 4xx. A POST whose answer was lost after it may have reached the
// MIS ends in contracts.ErrOutcomeUnknown, never in a guess.
package fhir
