// Package bus is the messaging runtime of the sagas: how saga messages leave
// a process and reach the next step.
//
// The transport lives in subpackages: [github.com/fedhealth/federation/sagas/bus/kafka]
// is a watermill Publisher and Subscriber on segmentio/kafka-go, and
// [github.com/fedhealth/federation/sagas/bus/kafkaembed] starts an in-process
// Kafka-protocol broker for the one-process default. The transactional outbox
// relay and the consumer-side dedupe belong to this package itself; they sit
// on top of the transport so that a saga never depends on Kafka's own
// exactly-once, which does not reach the MIS.
package bus
