package kafka

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// KeyMetadata is the metadata key whose value becomes the Kafka message key,
// and so decides the partition: messages with one key keep their order.
// Without it the watermill UUID is the key.
const KeyMetadata = "key"

// UUIDHeader is the Kafka header that carries the watermill message UUID.
// It is part of the wire format: renaming it breaks consumers of messages
// already in the topics.
const UUIDHeader = "_watermill_message_uuid"

// propagatorOrGlobal resolves the propagator at use time, so a global
// propagator installed after the constructor ran still counts.
func propagatorOrGlobal(p propagation.TextMapPropagator) propagation.TextMapPropagator {
	if p != nil {
		return p
	}
	return otel.GetTextMapPropagator()
}

// toKafka converts a watermill message. Trace context from msg.Context() is
// injected only when the metadata carries none, so a relayed message (an
// outbox row, a retry) keeps the trace it was created in.
func toKafka(topic string, msg *message.Message, prop propagation.TextMapPropagator) kafka.Message {
	md := make(propagation.MapCarrier, len(msg.Metadata)+2)
	for k, v := range msg.Metadata {
		md[k] = v
	}
	if !hasTraceContext(md, prop) {
		prop.Inject(msg.Context(), md)
	}
	headers := make([]kafka.Header, 0, len(md)+1)
	headers = append(headers, kafka.Header{Key: UUIDHeader, Value: []byte(msg.UUID)})
	for k, v := range md {
		headers = append(headers, kafka.Header{Key: k, Value: []byte(v)})
	}
	key := msg.Metadata.Get(KeyMetadata)
	if key == "" {
		key = msg.UUID
	}
	return kafka.Message{Topic: topic, Key: []byte(key), Value: msg.Payload, Headers: headers}
}

func hasTraceContext(md propagation.MapCarrier, prop propagation.TextMapPropagator) bool {
	for _, f := range prop.Fields() {
		if md.Get(f) != "" {
			return true
		}
	}
	return false
}

// toWatermill converts a fetched message; its context is parent with the
// extracted trace context and the message's position. A message produced
// without a UUID header gets its position as UUID, stable across
// redeliveries so deduplication still works.
func toWatermill(parent context.Context, km kafka.Message, prop propagation.TextMapPropagator) *message.Message {
	uuid := ""
	md := make(message.Metadata, len(km.Headers))
	for _, h := range km.Headers {
		if h.Key == UUIDHeader {
			uuid = string(h.Value)
			continue
		}
		md[h.Key] = string(h.Value)
	}
	if uuid == "" {
		uuid = fmt.Sprintf("%s/%d/%d", km.Topic, km.Partition, km.Offset)
	}
	msg := message.NewMessage(uuid, km.Value)
	msg.Metadata = md
	ctx := prop.Extract(parent, propagation.MapCarrier(md))
	msg.SetContext(withPosition(ctx, positionOf(km)))
	return msg
}
