// Package loadgen owns "federation loadgen": the load generator that books
// free slots through the public API as many citizens and follows each
// booking to its final state (saga mode), or sends the same number of
// hold+book pairs straight to the FHIR MIS simulators (direct mode, the
// cost of doing nothing durable). It reports throughput, latency
// percentiles overall, per region and per region kind (as the target's
// GET /regions names them), outcomes and errors by kind, as text and JSON.
// The bookings of feed regions wait in their operator queue: in saga mode
// an operator bot of the run confirms each (operator.go), so their
// latency is from request to confirmed.
//
// It is a measuring tool, not a client library: it talks only to the
// targets it is given on the command line (loopback unless --allow-remote),
// is bounded in bookings and time, and stops itself.
package loadgen
