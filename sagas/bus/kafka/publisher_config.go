package kafka

import (
	"errors"
	"time"

	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel/propagation"
)

// PublisherConfig configures a [Publisher].
type PublisherConfig struct {
	// Brokers are the bootstrap addresses ("host:port"); required.
	Brokers []string
	// BatchTimeout is how long the writer waits to fill a batch; default
	// 2ms. kafka-go's own default of 1s would make every synchronous
	// single-message publish wait a second.
	BatchTimeout time.Duration
	// BatchSize is the most messages per partition in one produce request;
	// default 1000, so one Publish call usually makes one request.
	BatchSize int
	// WriteTimeout bounds one produce request; default 10s.
	WriteTimeout time.Duration
	// Security is how the writer connects (TLS, SASL); the zero value is
	// plaintext. Ignored when Transport is set.
	Security Security
	// Transport overrides the connection settings; nil builds one from
	// Security.
	Transport kafka.RoundTripper
	// Propagator injects trace context into the headers; nil means the otel
	// global propagator.
	Propagator propagation.TextMapPropagator
}

func (c *PublisherConfig) setDefaults() {
	if c.BatchTimeout == 0 {
		c.BatchTimeout = 2 * time.Millisecond
	}
	if c.BatchSize == 0 {
		c.BatchSize = 1000
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 10 * time.Second
	}
}

// Validate reports a configuration the publisher cannot work with.
func (c PublisherConfig) Validate() error {
	if len(c.Brokers) == 0 {
		return errors.New("kafka publisher: no brokers")
	}
	if c.BatchTimeout < 0 || c.BatchSize < 0 || c.WriteTimeout < 0 {
		return errors.New("kafka publisher: negative batch timeout, batch size or write timeout")
	}
	return nil
}
