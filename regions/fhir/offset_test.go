package fhir_test

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
)

// shiftedBundle is slotBundle with two more slots whose offsets are not
// Vladivostok's (+10:00): one relabelled to +07:00, one given in UTC.
func shiftedBundle() misv2.Bundle {
	b := slotBundle()
	b.Entry = append(b.Entry,
		entry("match", misv2.Slot{ResourceType: "Slot", ID: "s2", Status: "free",
			Schedule: misv2.Reference{Reference: "Schedule/sch1"},
			Start:    "2025-03-10T10:00:00+07:00", End: "2025-03-10T10:15:00+07:00"}),
		entry("match", misv2.Slot{ResourceType: "Slot", ID: "s3", Status: "free",
			Schedule: misv2.Reference{Reference: "Schedule/sch1"},
			Start:    "2025-03-10T01:00:00Z", End: "2025-03-10T01:15:00Z"}))
	return b
}

func TestSlotsWithAnotherRegionsOffsetAreRefusedCountedAndShown(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mis := newScriptedMIS(t, answer{status: 200, body: shiftedBundle()})
	cfg := testConfig(mis.srv.URL)
	cfg.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	c := newClient(t, cfg)

	slots, err := c.SearchSlots(context.Background(), contracts.SlotQuery{})
	if err != nil {
		t.Fatalf("SearchSlots: %v", err)
	}
	if len(slots) != 1 || slots[0].ID != "s1" {
		t.Fatalf("slots = %+v, want only s1 (the one with the region's offset)", slots)
	}
	rep := c.SlotOffsetMismatches()
	if rep.Count != 2 || rep.Last.SlotID != "s3" || rep.Last.Got != "+00:00" || rep.Last.Want != "+10:00" || rep.Last.SeenAt.IsZero() {
		t.Errorf("report = %+v, want 2 with s3 +00:00 for +10:00 last", rep)
	}
	if _, err := c.ReadSlot(context.Background(), "s2"); !errors.Is(err, contracts.ErrNotFound) {
		t.Errorf("ReadSlot of a shifted slot: %v, want ErrNotFound (not bookable)", err)
	}
	if rep := c.SlotOffsetMismatches(); rep.Count != 4 {
		t.Errorf("count after a read = %d, want 4 (the read answer carried both again)", rep.Count)
	}
	if got := counterValue(t, reader, "mis.slot.offset_mismatch", attribute.NewSet(attribute.String("region", "25"))); got != 4 {
		t.Errorf("mis.slot.offset_mismatch{region=25} = %d, want 4", got)
	}
}

func TestSlotsWithTheRegionsOffsetAreNotCounted(t *testing.T) {
	mis := newScriptedMIS(t, answer{status: 200, body: slotBundle()})
	c := newClient(t, testConfig(mis.srv.URL))
	if _, err := c.SearchSlots(context.Background(), contracts.SlotQuery{}); err != nil {
		t.Fatal(err)
	}
	if rep := c.SlotOffsetMismatches(); rep.Count != 0 || rep.Last.SlotID != "" {
		t.Errorf("report = %+v, want nothing", rep)
	}
}

func counterValue(t *testing.T, reader sdkmetric.Reader, name string, attrs attribute.Set) int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == name {
				for _, p := range sum.DataPoints {
					if p.Attributes.Equals(&attrs) {
						return p.Value
					}
				}
			}
		}
	}
	return 0
}
