package kafka

import (
	"context"
	"time"

	"github.com/segmentio/kafka-go"
)

// Position says where a consumed message sits in Kafka; inspection tools and
// logs use it to name a message precisely.
type Position struct {
	Topic     string
	Partition int
	Offset    int64
	Key       string
	Time      time.Time
}

type positionKey struct{}

func positionOf(km kafka.Message) Position {
	return Position{Topic: km.Topic, Partition: km.Partition, Offset: km.Offset, Key: string(km.Key), Time: km.Time}
}

func withPosition(ctx context.Context, p Position) context.Context {
	return context.WithValue(ctx, positionKey{}, p)
}

// PositionFromContext returns the position of the message whose context
// (msg.Context()) ctx is, and whether there is one.
func PositionFromContext(ctx context.Context) (Position, bool) {
	p, ok := ctx.Value(positionKey{}).(Position)
	return p, ok
}
