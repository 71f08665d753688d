package main

import (
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/contracts"
)

func TestAnalyticsRebuildEmptiesTheModelForTheNextGeneration(t *testing.T) {
	ctx := t.Context()
	dir, db := migratedDataDir(t)
	defer db.Close()
	st, err := analytics.NewStore(ctx, db, true, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := contracts.BookingEvent{Version: 1, EventID: "e1", BookingID: "b1", Region: "77", Status: "pending", At: time.Now()}
	if _, err := st.Apply(ctx, 1, ev); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if err := run(ctx, []string{"analytics", "rebuild", "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("analytics rebuild: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "generation 2 (consumer group fed-analytics.g2)") {
		t.Errorf("output %q", stdout.String())
	}
	if state, err := st.State(ctx); err != nil || state.Generation != 2 || state.Applied != 0 {
		t.Errorf("state after the rebuild: %+v, %v", state, err)
	}
	if err := run(ctx, []string{"analytics", "drop", "--data", dir}, &stdout, &stderr); err == nil {
		t.Error("an unknown analytics command was accepted")
	}
}
