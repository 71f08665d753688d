// Package bus is the messaging runtime of the sagas: how saga messages leave
// a process and reach the next step.
//
// The transport lives in subpackages: [github.com/fedhealth/federation/sagas/bus/kafka]
// is a watermill Publisher and Subscriber on segmentio/kafka-go, and
// [github.com/fedhealth/federation/sagas/bus/kafkaembed] starts an in-process
// Kafka-protocol broker for the one-process default. The transactional outbox
// relay belongs to this package itself and delivers at least once; there is
// no consumer-side dedupe here: every saga step tolerates a duplicate
// command on its own (the state lives in the store, and each MIS call
// carries the saga's idempotency key), so the sagas never depend on Kafka's
// own exactly-once, which does not reach the MIS.
package bus
