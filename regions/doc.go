// Package regions owns how the broker reaches each regional MIS: the
// registry of regions built from configuration (code, name, time zone,
// kind, the kind's endpoint and credentials, timeouts, retries, breaker
// and concurrency limit), each served by its kind's adapter (fhir, soap,
// jsonrpc, or a feed source's slot cache for kind feed) behind its own
// circuit breaker (breaker).
//
// Feed regions only publish slots: the registry runs each one's poller;
// their bookings go to the operator queue, never to the port's
// state-changing methods, which a feed region refuses (which slots are
// booked is the broker's store's to say, not the slot cache's).
//
// Sagas and the broker never import this package: cmd builds a Registry and
// hands them its contracts.MIS values.
package regions
