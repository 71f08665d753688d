package system_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions"
)

func TestAHeartbeatLongerThanAThirdOfTheSessionIsRefusedBeforeAnythingStarts(t *testing.T) {
	for name, tc := range map[string]struct {
		session, heartbeat time.Duration
		want               string
	}{
		"a heartbeat of half the session":   {6 * time.Second, 3 * time.Second, "more than a third of session_timeout"},
		"a heartbeat above the default 6 s": {0, 2500 * time.Millisecond, "more than a third of session_timeout 6s"},
		"a negative session":                {-time.Second, 0, "must not be negative"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := system.Start(context.Background(), system.Options{DataDir: t.TempDir(), DevIssuer: true,
				Regions:        []regions.Config{{Code: "77", Name: "Moscow"}},
				SessionTimeout: tc.session, HeartbeatInterval: tc.heartbeat})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
