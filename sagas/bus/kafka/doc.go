// Package kafka owns the Kafka transport of the sagas: a watermill
// Publisher and Subscriber on segmentio/kafka-go, and topic creation.
//
// Delivery is at least once. A consumer-group subscriber commits a
// message's offset only after the handler acked it, so an unacked message
// comes back after a crash, a rebalance or a restart; handlers must
// tolerate duplicates. Order is kept per partition, which means per message
// key (see [KeyMetadata]). W3C trace context travels in the message headers
// so a handler continues the publisher's trace.
package kafka
