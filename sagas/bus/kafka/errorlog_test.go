package kafka

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/segmentio/kafka-go"
)

func TestARebalanceIsLoggedAtDebugAndOtherKafkaErrorsAsWarnings(t *testing.T) {
	cases := map[string]struct {
		format string
		args   []any
		want   string
	}{
		"a rebalance met while syncing": {"Failed to sync group %s: %v", []any{"g", kafka.RebalanceInProgress}, "level=DEBUG"},
		"a wrapped rebalance":           {"%v", []any{fmt.Errorf("commit: %w", kafka.RebalanceInProgress)}, "level=DEBUG"},
		"a broker that is gone":         {"Unable to establish connection to consumer group coordinator for group %s: %v", []any{"g", "dial tcp: refused"}, "level=WARN"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			errorLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), "kafka reader t")(c.format, c.args...)
			if !strings.Contains(buf.String(), c.want) || !strings.Contains(buf.String(), "kafka reader t: ") {
				t.Errorf("logged %q, want %s", buf.String(), c.want)
			}
		})
	}
}
