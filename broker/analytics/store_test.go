package analytics_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/broker/probes"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

func TestAnEventIsCountedOnceHoweverOftenItIsDelivered(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		st := newStore(t, open)
		ctx := context.Background()
		evs := booking{region: "77", specialty: "therapist", at: on(1), outcome: "confirmed"}.events()
		for range 3 {
			for _, ev := range evs {
				if _, err := st.Apply(ctx, 1, ev); err != nil {
					t.Fatal(err)
				}
			}
		}
		apply(t, st, 11, booking{region: "77", specialty: "therapist", at: on(1), outcome: "confirmed"})
		r, err := service(t, st).Overview(ctx, filter(1, 1, ""))
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := figure(r, "bookings_by_day", date(1), "77", "requested"); v == nil || *v != 12 {
			t.Errorf("requests after a booking's events came three times: %s, want 12", describe(v))
		}
		state, _ := st.State(ctx)
		if state.Applied != 24 || !state.LastEventAt.Equal(on(1).Add(800*time.Millisecond)) {
			t.Errorf("state %+v: want 24 applied, the last event's time", state)
		}
	})
}

func TestARebuildEmptiesTheModelAndStartsTheNextGeneration(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		st := newStore(t, open)
		ctx := context.Background()
		evs := booking{region: "77", at: on(1), outcome: "confirmed"}.events()
		if _, err := st.Apply(ctx, 1, evs[0]); err != nil {
			t.Fatal(err)
		}
		gen, err := st.Rebuild(ctx)
		if err != nil || gen != 2 {
			t.Fatalf("rebuild: generation %d, %v; want 2", gen, err)
		}
		if _, err := st.Apply(ctx, 1, evs[1]); !errors.Is(err, analytics.ErrGenerationChanged) {
			t.Errorf("an event of the old generation: %v, want ErrGenerationChanged", err)
		}
		// The same event again, in the new generation: counted afresh.
		if applied, err := st.Apply(ctx, 2, evs[0]); err != nil || !applied {
			t.Errorf("the first event re-read after the rebuild: applied %v, %v", applied, err)
		}
	})
}

func TestMalformedEventsAreRefusedAsInvalid(t *testing.T) {
	st := newStore(t, sqldbtest.SQLite)
	ctx := context.Background()
	if _, err := st.Apply(ctx, 1, contracts.BookingEvent{Version: 1, EventID: "e"}); !errors.Is(err, contracts.ErrInvalid) {
		t.Errorf("an event without booking id, region and status: %v", err)
	}
}

func TestTheRegionReportShowsBreakerHistoryAndProbes(t *testing.T) {
	st := newStore(t, sqldbtest.SQLite)
	ctx := context.Background()
	for i, s := range []contracts.RegionStatus{contracts.RegionUnavailable, contracts.RegionAvailable} {
		if err := st.RecordTransition(ctx, "77", s, "i1", on(2).Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	runs := fakeProbes{runs: []probes.Run{
		{Region: "77", Started: on(9), Failed: 0},                                                      // after the period
		{Region: "77", Started: on(2), Failed: 2, FailedIDs: []string{"FHIR-SEARCH-01", "FHIR-R4-04"}}, // in it
	}}
	svc, err := analytics.NewService(analytics.Config{Store: st, Probes: runs, Now: func() time.Time { return on(8) }})
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.Region(ctx, filter(1, 7, "77"))
	if err != nil {
		t.Fatal(err)
	}
	var statuses, failed []string
	for _, tb := range r.Tables {
		for _, row := range tb.Rows {
			switch tb.Name {
			case "breaker_transitions":
				statuses = append(statuses, row.Text)
			case "conformance_probes":
				failed = append(failed, row.Text)
			}
		}
	}
	if len(statuses) != 2 || statuses[0] != string(contracts.RegionUnavailable) {
		t.Errorf("breaker history %v; want unavailable then available", statuses)
	}
	if len(failed) != 1 || failed[0] != "FHIR-SEARCH-01 FHIR-R4-04" {
		t.Errorf("probe runs %q; want the one run in the period, naming its failed requirements", failed)
	}
	if _, err := service(t, st).Region(ctx, filter(1, 7, "")); !errors.Is(err, contracts.ErrInvalid) {
		t.Errorf("a region report without region: %v", err)
	}
}

func TestFiltersAreWholeDaysWithinAYear(t *testing.T) {
	now := on(8)
	for _, c := range []struct{ name, from, to, region string }{
		{"a from that is no date", "yesterday", "", ""},
		{"from after to", date(5), date(4), ""},
		{"more than a year", "2024-01-01", "2026-01-01", ""},
		{"a region that is no code", "", "", "77; drop"},
	} {
		if _, err := analytics.ParseFilter(c.from, c.to, c.region, now); !errors.Is(err, contracts.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", c.name, err)
		}
	}
	f, err := analytics.ParseFilter("", "", "", now)
	if err != nil || f.To != date(8) || f.From != now.AddDate(0, 0, -29).Format(time.DateOnly) {
		t.Errorf("defaults: %+v, %v", f, err)
	}
}

func TestLeadTimeSamplesGiveTheNextFreeSlotOnceTenAreIn(t *testing.T) {
	st := newStore(t, sqldbtest.SQLite)
	ctx := context.Background()
	sample := func(i int) contracts.SlotLeadTime {
		at := on(2).Add(time.Duration(i) * time.Minute)
		return contracts.SlotLeadTime{Version: 1, EventID: fmt.Sprintf("lead-%d", i), Region: "77", Specialty: "therapist",
			ObservedAt: at, EarliestStart: at.Add(30 * time.Hour)}
	}
	next := func() *analytics.Report {
		r, err := service(t, st).Waiting(ctx, filter(1, 7, ""))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for i := range 9 {
		for range 2 { // each sample delivered twice
			if _, err := st.ApplyLeadTime(ctx, 1, sample(i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if v, ok := figureOf(next(), "next_free_slot_hours", "77", "therapist", "p50"); !ok || v != nil {
		t.Errorf("the median over 9 samples (each delivered twice): %s, want suppressed", describe(v))
	}
	if _, err := st.ApplyLeadTime(ctx, 1, sample(9)); err != nil {
		t.Fatal(err)
	}
	if v, _ := figureOf(next(), "next_free_slot_hours", "77", "therapist", "p50"); v == nil || *v != 48 {
		t.Errorf("the median over 10 samples of 30 h: %s, want the 48 h bucket", describe(v))
	}
}

// figureOf finds a row by region and specialty over the whole period.
func figureOf(r *analytics.Report, table, region, specialty, measure string) (*float64, bool) {
	for _, tb := range r.Tables {
		for _, row := range tb.Rows {
			if tb.Name == table && row.Region == region && row.Specialty == specialty && row.Measure == measure {
				return row.Value, true
			}
		}
	}
	return nil, false
}

// fakeProbes stands in for broker/probes' store, which has tests of its
// own: the report only reads runs.
type fakeProbes struct{ runs []probes.Run }

func (f fakeProbes) Latest(context.Context, string) ([]probes.Result, error) { return nil, nil }
func (f fakeProbes) Runs(_ context.Context, _ string, n int) ([]probes.Run, error) {
	return f.runs[:min(n, len(f.runs))], nil
}
func (f fakeProbes) LastRuns(context.Context) ([]probes.Run, error) { return f.runs, nil }
