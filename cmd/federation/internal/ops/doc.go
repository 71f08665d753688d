// Package ops holds the operators' tools behind "federation dlq" and
// "federation saga": inspecting and replaying dead letters, and showing,
// retrying or abandoning a stuck saga. They work on the same store and
// Kafka topics as the running broker, without stopping it.
package ops
