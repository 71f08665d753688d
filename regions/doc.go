// Package regions owns how the broker reaches each regional MIS: the
// registry of regions built from configuration (code, name, time zone, MIS
// endpoint and credentials, timeouts, retries, breaker and concurrency
// limit), each served by a FHIR contract client (fhir) behind its own
// circuit breaker (breaker).
//
// Sagas and the broker never import this package: cmd builds a Registry and
// hands them its contracts.MIS values.
package regions
