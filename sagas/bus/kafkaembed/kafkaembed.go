// Package kafkaembed owns the embedded Kafka-protocol broker of the
// one-process default: a franz-go kfake cluster listening on TCP loopback,
// so the same kafka-go transport speaks to it as to a real Apache Kafka.
//
// It has one broker and no replication: durability across the loss of the
// machine needs real Kafka. Groups form instantly, unlike real Kafka, so a
// test that is fast here can still be slow against a real cluster.
package kafkaembed

import (
	"fmt"
	"log/slog"
	"net"
	"time"
)

// Config configures the embedded broker.
type Config struct {
	// Listen is the TCP address to listen on; default "127.0.0.1:0" (a free
	// loopback port). Fix the port when clients must find the broker again
	// after a restart.
	Listen string
	// DataDir, if set, persists topics, offsets and groups there with an
	// fsync per written batch, so they survive a restart. Empty keeps
	// everything in memory.
	DataDir string
	// DefaultPartitions is the partition count of topics created
	// automatically or with -1 partitions; default 4.
	DefaultPartitions int
	// MinSessionTimeout is the smallest consumer-group session timeout the
	// broker accepts; default 1s, so tests may use short timeouts (real
	// Kafka's default is 6s).
	MinSessionTimeout time.Duration
	// Logger receives the broker's warnings and errors; nil discards them.
	Logger *slog.Logger
}

func (c *Config) setDefaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:0"
	}
	if c.DefaultPartitions == 0 {
		c.DefaultPartitions = 4
	}
	if c.MinSessionTimeout == 0 {
		c.MinSessionTimeout = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate reports a configuration the broker cannot start with.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("kafkaembed: listen address %q: %w", c.Listen, err)
	}
	if c.DefaultPartitions < 1 {
		return fmt.Errorf("kafkaembed: default partitions %d, want at least 1", c.DefaultPartitions)
	}
	return nil
}
