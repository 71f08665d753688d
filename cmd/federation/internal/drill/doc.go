// Package drill owns "federation drill": fault drills that check the
// broker's correctness promises end to end. Each drill hosts the reference
// MIS simulators in-process, runs the broker as a child process (so that it
// can be killed with SIGKILL and restarted on the same data), drives load
// through the federal API, injects one fault, lets the system settle, and
// then compares what the broker says about every accepted booking with what
// every simulator holds (sagas/reconcile does the comparison):
//
//   - lost: an accepted booking that never reached a final status;
//   - double: more than one live appointment for one booking or one slot;
//   - orphan: a hold still pending after its booking ended (or past its expiry);
//   - mismatch: a confirmed booking without exactly one booked appointment,
//     or a booked appointment whose booking is not confirmed.
//
// The regions are the fleet's default six, of every region kind (fhir,
// soap, jsonrpc, feed); a fault drill faults one region of each kind at
// once, and the isolation drill makes the SOAP region slow, then down.
//
// A feed region has no MIS to compare with: its bookings wait in the
// region's operator queue, answered by an operator bot in the drill
// process (operator.go: confirms each, declines one in ten, one
// Idempotency-Key per booking through broker kills), and feedCheck
// compares their final status with what the bot did. A fault drill's
// fault at a feed region is its publisher failing (down, or half its
// reads erring: a publisher commits nothing), which must leave the
// bookings already queued untouched. The
// appointments of the kinds whose MIS takes no keys are tied to their
// bookings through the broker's step ledger (sagas/ledger). Each drill
// prints its total line and one line per kind.
//
// Every count must be zero, in total and for every kind; a drill that
// breaks one makes Main return an error, so the command exits non-zero.
package drill
