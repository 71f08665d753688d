package analytics_test

import (
	"context"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

func newRecorder(t *testing.T, st *analytics.Store, interval time.Duration) *analytics.Recorder {
	t.Helper()
	rec, err := analytics.NewRecorder(analytics.RecorderConfig{Store: st, Interval: interval, Now: func() time.Time { return on(2) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rec.Close() })
	return rec
}

// observe has rec count n calls of op in region 77.
func observe(rec *analytics.Recorder, n int, op string, d time.Duration, outcome string) {
	for range n {
		rec.Observe("77", op, d, outcome)
	}
}

// misRow finds op's measure in the region report's mis_latency table.
func misRow(t *testing.T, st *analytics.Store, op, measure string) (analytics.Row, bool) {
	t.Helper()
	r, err := service(t, st).Region(context.Background(), filter(1, 7, "77"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range r.Tables {
		for _, row := range tb.Rows {
			if tb.Name == "mis_latency" && row.Operation == op && row.Measure == measure {
				return row, true
			}
		}
	}
	return analytics.Row{}, false
}

func TestTheRecorderCountsMISCallsInLatencyBucketsAndAddsThemOnFlush(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		st := newStore(t, open)
		rec := newRecorder(t, st, time.Hour)
		observe(rec, 10, "hold", 3*time.Millisecond, analytics.MISCallOK)
		observe(rec, 10, "hold", 40*time.Millisecond, analytics.MISCallRefused)
		observe(rec, 10, "hold", 12*time.Second, analytics.MISCallFailed)
		observe(rec, 10, "hold", 0, analytics.MISCallOpen)
		if _, ok := misRow(t, st, "hold", "calls"); ok {
			t.Fatal("calls in the report before the recorder flushed")
		}
		if err := rec.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, measure string
			want          float64
		}{
			{"calls made (the open breaker's refusals are none)", "calls", 30},
			{"the median of the answered calls is the 5 ms bucket's bound", "p50", 5},
			{"p90 of the answered calls (failures left out) is the 50 ms bucket's bound", "p90", 50},
			{"p99", "p99", 50},
			{"a third failed", "failed_share", 1.0 / 3},
			{"none cut short", "cut_short_share", 0},
			{"the open breaker refused ten", "open", 10},
			{"no budget shed any", "shed", 0},
		} {
			row, ok := misRow(t, st, "hold", c.measure)
			if !ok || row.Value == nil || *row.Value != c.want {
				t.Errorf("%s: hold %s = %s, want %v", c.name, c.measure, describe(row.Value), c.want)
			}
		}
		// Not rebuilt from the topic, so a rebuild must keep them.
		if _, err := st.Rebuild(context.Background()); err != nil {
			t.Fatal(err)
		}
		if row, _ := misRow(t, st, "hold", "calls"); row.Value == nil || *row.Value != 30 {
			t.Errorf("hold calls after a rebuild: %s, want the 30 kept", describe(row.Value))
		}
	})
}

func TestTwoInstancesRecordersAddUpAndSmallCountsStayHidden(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, another := open(t)
		one, err := analytics.NewStore(context.Background(), db, false, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		other, err := analytics.NewStore(context.Background(), another(), true, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, b := newRecorder(t, one, time.Hour), newRecorder(t, other, time.Hour)
		observe(a, 6, "book", 150*time.Millisecond, analytics.MISCallOK)
		observe(b, 6, "book", 150*time.Millisecond, analytics.MISCallOK)
		observe(b, 3, "book", 30*time.Second+time.Millisecond, analytics.MISCallFailed)
		ctx := context.Background()
		if err := a.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if row, _ := misRow(t, one, "book", "calls"); !row.Suppressed {
			t.Errorf("6 booking calls of one instance: %s, want hidden", describe(row.Value))
		}
		for _, err := range []error{b.Flush(ctx), a.Flush(ctx)} { // a's second flush adds nothing
			if err != nil {
				t.Fatal(err)
			}
		}
		calls, _ := misRow(t, one, "book", "calls")
		if calls.Value == nil || *calls.Value != 12 || !calls.Partial {
			t.Errorf("book calls of two instances: %s (partial %v), want 12, partial: the 3 failed are hidden", describe(calls.Value), calls.Partial)
		}
		if p50, _ := misRow(t, one, "book", "p50"); p50.Value == nil || *p50.Value != 200 {
			t.Errorf("book p50: %s, want the 200 ms bucket's bound", describe(p50.Value))
		}
		if failed, _ := misRow(t, one, "book", "failed_share"); failed.Value == nil || *failed.Value != 0 || !failed.Partial {
			t.Errorf("book failed share: %s (partial %v), want 0 of the shown calls, partial", describe(failed.Value), failed.Partial)
		}
	})
}

func TestClosingTheRecorderAddsWhatIsLeftAndAnIntervalFlushesOnItsOwn(t *testing.T) {
	st := newStore(t, sqldbtest.SQLite)
	ticking := newRecorder(t, st, 20*time.Millisecond)
	observe(ticking, 10, "search_slots", 700*time.Millisecond, analytics.MISCallOK)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if row, _ := misRow(t, st, "search_slots", "calls"); row.Value != nil && *row.Value == 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the searches were not added within 5s of a 20ms interval")
		}
	}
	closing := newRecorder(t, st, time.Hour)
	observe(closing, 10, "cancel", 5*time.Second, analytics.MISCallCutShort)
	if err := closing.Close(); err != nil {
		t.Fatal(err)
	}
	observe(closing, 10, "cancel", time.Second, analytics.MISCallOK) // after Close: counted nowhere
	if err := closing.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if row, _ := misRow(t, st, "cancel", "cut_short_share"); row.Value == nil || *row.Value != 1 {
		t.Errorf("cancellations cut short after Close: %s, want all of them", describe(row.Value))
	}
	if row, _ := misRow(t, st, "cancel", "p50"); !row.Suppressed {
		t.Errorf("the p50 of no answered cancellation: %s, want hidden", describe(row.Value))
	}
}

func TestTheRecorderNeedsItsStore(t *testing.T) {
	if _, err := analytics.NewRecorder(analytics.RecorderConfig{}); err == nil {
		t.Error("a recorder without a store was made")
	}
}

func TestNoSmallMISCallCountCanBeShownOrDerivedAcrossPeriods(t *testing.T) {
	st := newStore(t, sqldbtest.SQLite)
	ctx := context.Background()
	for d := 1; d <= 7; d++ {
		rec, err := analytics.NewRecorder(analytics.RecorderConfig{Store: st, Interval: time.Hour, Now: func() time.Time { return on(d) }})
		if err != nil {
			t.Fatal(err)
		}
		observe(rec, 20, "hold", 30*time.Millisecond, analytics.MISCallOK)
		switch d {
		case 4:
			observe(rec, 5, "book", 30*time.Millisecond, analytics.MISCallOK)
			observe(rec, 2, "hold", 0, analytics.MISCallOpen)
		case 5:
			observe(rec, 12, "book", 30*time.Millisecond, analytics.MISCallOK)
		case 7:
			observe(rec, 3, "hold", 10*time.Second, analytics.MISCallFailed)
		}
		if err := rec.Close(); err != nil {
			t.Fatal(err)
		}
	}
	counts := func(from, to int) map[string]float64 {
		r, err := service(t, st).Region(ctx, filter(from, to, "77"))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, tb := range r.Tables {
			for _, row := range tb.Rows {
				if tb.Name == "mis_latency" && row.Value != nil && (row.Measure == "calls" || row.Measure == "open" || row.Measure == "shed") {
					out[row.Operation+"|"+row.Measure] = *row.Value
				}
			}
		}
		return out
	}
	for _, period := range [][2]int{{1, 7}, {1, 6}, {2, 7}, {7, 7}, {4, 5}, {4, 4}} {
		for k, v := range counts(period[0], period[1]) {
			if small(v) {
				t.Errorf("days %v: %s = %v is shown", period, k, v)
			}
		}
	}
	week, sixDays, lastSix := counts(1, 7), counts(1, 6), counts(2, 7)
	for k, v := range week {
		if d := v - sixDays[k]; small(d) {
			t.Errorf("%s over days 1-7 minus 1-6 = %v", k, d)
		}
		if d := v - lastSix[k]; small(d) {
			t.Errorf("%s over days 1-7 minus 2-7 = %v", k, d)
		}
	}
	if week["hold|calls"] != 140 || week["book|calls"] != 12 {
		t.Errorf("the week's calls %v, want 140 holds (the 3 failed hidden) and 12 bookings (the 5 hidden)", week)
	}
}
