// Package ops holds the operators' actions behind "federation saga" and
// "federation dlq": retrying or abandoning a stuck saga, replaying a dead
// letter. Each saga action is a transition of the booking applied in the
// store's Update, like any saga step, so the running broker picks it up
// from the store and its outbox without being stopped; the dead-letter
// tools themselves live beside the poison route, in sagas/runner.
//
// Every action that changes something runs through Audited, which records
// who did it, why, on which booking and with what outcome in the audit
// trail (broker/audit), and refuses to act when that record could not be
// written.
package ops
