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
// Every count must be zero; a drill that breaks one makes Main return an
// error, so the command exits non-zero.
package drill
