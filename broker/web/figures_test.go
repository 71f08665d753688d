package web

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/sagas"
)

func TestAHiddenCellIsAGapInTheChartAndSaidSoInTheTable(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	table := &analytics.Table{Name: "bookings_by_day", Rows: []analytics.Row{
		{Day: "2026-12-01", Region: "27", Measure: "requested", Suppressed: true},
		{Day: "2026-12-01", Region: "78", Measure: "requested", Value: v(12)},
		{Day: "2026-12-01", Region: "all", Measure: "requested", Value: v(12), Partial: true},
		{Day: "2026-12-02", Region: "78", Measure: "requested", Value: v(20)},
		{Day: "2026-12-02", Region: "all", Measure: "requested", Value: v(20)},
	}}
	ft := figures(table, sagas.LangEN, map[string]string{"78": "Saint Petersburg"})
	if !ft.Hidden {
		t.Error("the table does not say it hides a cell")
	}
	wantHeads := []string{"Day (UTC)", "27", "78 Saint Petersburg", "Whole country"}
	if len(ft.Heads) != len(wantHeads) {
		t.Fatalf("heads %q, want %q (one column per region)", ft.Heads, wantHeads)
	}
	for i := range wantHeads {
		if ft.Heads[i] != wantHeads[i] {
			t.Errorf("head %d %q, want %q", i, ft.Heads[i], wantHeads[i])
		}
	}
	day1 := ft.Rows[0].Cells
	if !day1[0].Hidden || day1[0].Text != "hidden" || day1[1].Text != "12" || day1[2].Text != "12*" {
		t.Errorf("day 1 cells %+v, want hidden, 12, 12*", day1)
	}
	if day2 := ft.Rows[1].Cells; day2[0].Text != "0" || day2[0].Hidden {
		t.Errorf("a region without events that day shows %+v, want 0", day2[0])
	}
	var spec chartSpec
	if err := json.Unmarshal([]byte(ft.Chart), &spec); err != nil {
		t.Fatal(err)
	}
	if spec.Datasets[0].Data[0] != nil {
		t.Errorf("the hidden cell is drawn as %v, want a gap (null)", *spec.Datasets[0].Data[0])
	}
	if *spec.Datasets[1].Data[0] != 12 || *spec.Datasets[0].Data[1] != 0 {
		t.Errorf("chart data %+v", spec.Datasets)
	}
}

func TestSharesAreInTheTableNotTheChartAndOneRowIsABarPerMeasure(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	table := &analytics.Table{Name: "outcomes", Rows: []analytics.Row{
		{Region: "78", Measure: "confirmed", Value: v(30)}, {Region: "78", Measure: "rejected", Value: v(10)},
		{Region: "78", Measure: "confirmed_share", Value: v(0.75)}, {Region: "78", Measure: "rejected_share", Value: v(0.25)},
	}}
	ft := figures(table, sagas.LangRU, nil)
	if got := ft.Rows[0].Cells[2].Text; got != "75.0 %" {
		t.Errorf("share shown as %q, want 75.0 %%", got)
	}
	var spec chartSpec
	_ = json.Unmarshal([]byte(ft.Chart), &spec)
	if len(spec.Labels) != 2 || len(spec.Datasets) != 1 || spec.Type != "bar" || *spec.Datasets[0].Data[0] != 30 {
		t.Errorf("chart %+v, want the region's two counts as two bars", spec)
	}
}

func TestAPercentileReadsAsInTheCSV(t *testing.T) {
	v := 0.25
	ft := figures(&analytics.Table{Name: "latency_seconds", Rows: []analytics.Row{{Region: "78", Measure: "p50", Value: &v}}}, sagas.LangEN, nil)
	if got := ft.Rows[0].Cells[0].Text; got != "0.25" {
		t.Errorf("p50 of 0.25 s shows as %q", got)
	}
}

func TestTheMISLatencyTableHasARowPerCallAndChartsOnlyItsMilliseconds(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	// A first call whose counts are all hidden has no shares.
	rows := []analytics.Row{{Region: "78", Operation: "search_slots", Measure: "calls", Suppressed: true},
		{Region: "78", Operation: "search_slots", Measure: "open", Value: v(0)}}
	for _, op := range []string{"hold", "book"} {
		rows = append(rows,
			analytics.Row{Region: "78", Operation: op, Measure: "calls", Value: v(120)},
			analytics.Row{Region: "78", Operation: op, Measure: "p50", Value: v(50)},
			analytics.Row{Region: "78", Operation: op, Measure: "p90", Value: v(200)},
			analytics.Row{Region: "78", Operation: op, Measure: "p99", Value: v(30000), Text: "more than"},
			analytics.Row{Region: "78", Operation: op, Measure: "failed_share", Value: v(0.25)},
			analytics.Row{Region: "78", Operation: op, Measure: "open", Value: v(0)})
	}
	ft := figures(&analytics.Table{Name: "mis_latency", Rows: rows}, sagas.LangEN, map[string]string{"78": "Saint Petersburg"})
	wantHeads := []string{"Region", "MIS call", "calls", "median (p50)", "p90", "p99", "share failed", "not sent: breaker open"}
	if !slices.Equal(ft.Heads, wantHeads) {
		t.Fatalf("heads %q, want %q", ft.Heads, wantHeads)
	}
	if len(ft.Rows) != 3 || !slices.Equal(ft.Rows[1].Keys, []string{"78 Saint Petersburg", "hold"}) || ft.Rows[2].Keys[1] != "booking" {
		t.Fatalf("rows %+v, want one per call, the search, hold, then booking", ft.Rows)
	}
	if got := ft.Rows[1].Cells[3].Text; got != "more than 30000" {
		t.Errorf("p99 in the open top bucket shows %q", got)
	}
	var spec chartSpec
	if err := json.Unmarshal([]byte(ft.Chart), &spec); err != nil {
		t.Fatal(err)
	}
	if len(spec.Datasets) != 3 || spec.Datasets[0].Label != "median (p50)" || spec.Y != "milliseconds" || len(spec.Labels) != 3 {
		t.Errorf("chart %+v, want p50, p90 and p99 in milliseconds for the three calls", spec)
	}
}
