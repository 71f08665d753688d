package drill_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/drill"
)

// TestShortDrillsKeepEveryInvariant runs two drills for real, as CI does:
// the broker binary is built, run as a child process against in-process
// simulators, and faulted. It checks the invariants only: the isolation
// figure is a latency, which go test, running other packages beside it on
// a shared machine, cannot judge (the drill command in CI does).
func TestShortDrillsKeepEveryInvariant(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the broker for about a minute")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	results, err := drill.Run(ctx, drill.Config{Drills: []string{"poison", "commit-timeout"}, Short: true}, &out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.InvariantsBroken() || r.Accepted == 0 {
			t.Errorf("%s", r)
		}
		if len(r.Kinds) != 4 {
			t.Errorf("%s: lines for kinds %v, want fhir, soap, jsonrpc and feed", r.Drill, r.KindLines())
		}
		for _, k := range r.Kinds {
			if k.Accepted == 0 {
				t.Errorf("%s: no booking accepted in kind %s", r.Drill, k.Kind)
			}
		}
	}
}

func TestFlagsRefuseAnUnknownDrill(t *testing.T) {
	err := drill.Main(context.Background(), []string{"--short", "earthquake"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil {
		t.Fatal("an unknown drill was accepted")
	}
}
