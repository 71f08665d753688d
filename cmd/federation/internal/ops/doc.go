// Package ops holds the operators' saga actions behind "federation saga":
// retrying or abandoning a stuck saga. Each is a transition of the booking
// applied in the store's Update, like any saga step, so the running broker
// picks it up from the store and its outbox without being stopped. The
// dead-letter tools behind "federation dlq" live beside the poison route,
// in sagas/runner.
package ops
