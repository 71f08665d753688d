package kafka_test

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/fedhealth/federation/sagas/bus/kafkaembed"
)

// brokers are the addresses every test talks to: a real cluster from
// KAFKA_BROKERS (comma-separated) or the embedded broker started here.
var brokers []string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if env := os.Getenv("KAFKA_BROKERS"); env != "" {
		brokers = strings.Split(env, ",")
		return m.Run()
	}
	cluster, err := kafkaembed.Start(kafkaembed.Config{DefaultPartitions: 4})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start embedded broker:", err)
		return 1
	}
	defer cluster.Close()
	brokers = cluster.Addrs()
	return m.Run()
}

// testLogger shows the transport's warnings when a test runs verbosely.
func testLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.DiscardHandler)
}
