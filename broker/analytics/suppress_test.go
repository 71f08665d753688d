package analytics_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

// smallCounts is a country with small counts hidden among large ones:
// each would show up in a careless difference.
func smallCounts(t *testing.T) *analytics.Store {
	st := newStore(t, sqldbtest.SQLite)
	for d := 1; d <= 7; d++ {
		apply(t, st, 20, booking{region: "77", specialty: "therapist", at: on(d), outcome: "confirmed"})
		if d < 7 {
			apply(t, st, 10, booking{region: "50", specialty: "therapist", at: on(d), outcome: "confirmed"})
		}
	}
	apply(t, st, 3, booking{region: "77", specialty: "therapist", at: on(7), outcome: "rejected"}) // day 7 only
	apply(t, st, 4, booking{region: "50", specialty: "therapist", at: on(7), outcome: "confirmed"})
	apply(t, st, 1, booking{region: "50", specialty: "therapist", at: on(7), outcome: "failed"})
	apply(t, st, 2, booking{region: "23", specialty: "dentist", at: on(7), outcome: "confirmed"}) // a whole small region
	apply(t, st, 12, booking{region: "77", specialty: "surgeon", at: on(3), outcome: "cancelled"})
	apply(t, st, 5, booking{region: "77", specialty: "surgeon", at: on(4), outcome: "cancelled"})
	// A margin over a small part: 12 requests, 10 confirmed, 2 rejected.
	apply(t, st, 10, booking{region: "77", specialty: "oculist", at: on(5), outcome: "confirmed"})
	apply(t, st, 2, booking{region: "77", specialty: "oculist", at: on(5), outcome: "rejected"})
	return st
}

type report func(context.Context, analytics.Filter) (*analytics.Report, error)

// countsOf maps every published count of r by table, day, region,
// specialty and measure (shares and percentiles are not counts).
func countsOf(r *analytics.Report) map[string]float64 {
	out := map[string]float64{}
	for _, tb := range r.Tables {
		for _, row := range tb.Rows {
			if row.Value == nil || strings.HasSuffix(row.Measure, "_share") || strings.HasPrefix(row.Measure, "p") ||
				tb.Name == "breaker_transitions" || tb.Name == "conformance_probes" {
				continue
			}
			out[strings.Join([]string{tb.Name, row.Day, row.Region, row.Specialty, row.Measure}, "|")] = *row.Value
		}
	}
	return out
}

func small(v float64) bool { return v >= 1 && v < analytics.MinCount }

func TestNoSmallCountCanBeShownOrDerivedByDifferencing(t *testing.T) {
	st := smallCounts(t)
	s := service(t, st)
	ctx := context.Background()
	reports := map[string]report{"overview": s.Overview, "cancellations": s.Cancellations, "attendance": s.NoShows,
		"reschedules": s.Reschedules, "waiting": s.Waiting}
	run := func(name string, f analytics.Filter) map[string]float64 {
		r, err := reports[name](ctx, f)
		if err != nil {
			t.Fatalf("%s %+v: %v", name, f, err)
		}
		return countsOf(r)
	}
	regions := []string{"", "77", "50", "23"}
	for name := range reports {
		for _, region := range regions {
			for _, period := range [][2]int{{1, 7}, {1, 6}, {2, 7}, {7, 7}, {4, 5}} {
				for k, v := range run(name, filter(period[0], period[1], region)) {
					if small(v) {
						t.Errorf("%s %v region %q: %s = %v is shown", name, period, region, k, v)
					}
				}
			}
			// Across periods: days 1-7 minus days 1-6 (and minus 2-7).
			week, sixDays, lastSix := run(name, filter(1, 7, region)), run(name, filter(1, 6, region)), run(name, filter(2, 7, region))
			for k, v := range week {
				if d := v - sixDays[k]; small(d) {
					t.Errorf("%s region %q: %s over days 1-7 minus 1-6 = %v", name, region, k, d)
				}
				if d := v - lastSix[k]; small(d) {
					t.Errorf("%s region %q: %s over days 1-7 minus 2-7 = %v", name, region, k, d)
				}
			}
		}
	}
	// Across filters: the country minus every region but one, and the
	// country's total minus the regions shown beside it.
	for name := range reports {
		country := run(name, filter(1, 7, ""))
		byRegion := map[string]map[string]float64{}
		for _, r := range regions[1:] {
			byRegion[r] = run(name, filter(1, 7, r))
		}
		for k, total := range country {
			parts := strings.Split(k, "|")
			if parts[2] != "all" {
				continue
			}
			var shown float64
			for _, r := range regions[1:] {
				shown += country[strings.Join([]string{parts[0], parts[1], r, parts[3], parts[4]}, "|")]
			}
			if d := total - shown; small(d) {
				t.Errorf("%s: %s minus the regions shown = %v", name, k, d)
			}
			for _, left := range regions[1:] {
				var others float64
				for _, r := range regions[1:] {
					if r != left {
						others += byRegion[r][strings.Join([]string{parts[0], parts[1], r, parts[3], parts[4]}, "|")]
					}
				}
				if d := total - others; small(d) {
					t.Errorf("%s: %s minus every region but %s = %v", name, k, left, d)
				}
			}
		}
	}
}

func TestAMarginIsHiddenWhenItWouldGiveAwayASmallPart(t *testing.T) {
	st := smallCounts(t)
	r, err := service(t, st).Overview(context.Background(), filter(5, 5, "77"))
	if err != nil {
		t.Fatal(err)
	}
	// Day 5 in region 77: therapist 20 requested and confirmed (shown);
	// oculist 12 requested, 10 confirmed, 2 rejected: 12 would give the 2
	// away, so only the therapists' 20 requests count.
	if v, _ := figure(r, "bookings_by_day", date(5), "77", "requested"); v == nil || *v != 20 {
		t.Errorf("requests: %s, want 20 (the oculists' 12 hidden)", describe(v))
	}
	if v, _ := figure(r, "outcomes", "", "77", "confirmed"); v == nil || *v != 30 {
		t.Errorf("confirmed: %s, want 30", describe(v))
	}
	if v, _ := figure(r, "outcomes", "", "77", "rejected"); v != nil {
		t.Errorf("rejected: %s, want suppressed", describe(v))
	}
}

func TestPercentilesNeedTenObservations(t *testing.T) {
	st := smallCounts(t)
	r, err := service(t, st).Overview(context.Background(), filter(1, 7, ""))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := figure(r, "latency_seconds", "", "23", "p50"); !ok || v != nil {
		t.Errorf("region 23's latency over 2 bookings: %s, want suppressed", describe(v))
	}
	if v, _ := figure(r, "latency_seconds", "", "77", "p50"); v == nil || *v != 1 {
		t.Errorf("region 77's median latency: %s, want the 1 s bucket", describe(v))
	}
}

func TestTheCSVHoldsExactlyTheJSONsFigures(t *testing.T) {
	st := smallCounts(t)
	r, err := service(t, st).Cancellations(context.Background(), filter(1, 7, ""))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(r)
	var decoded analytics.Report
	if err := json.Unmarshal(body, &decoded); err != nil {
		t.Fatal(err)
	}
	var rows []analytics.Row
	var tables []string
	for _, tb := range decoded.Tables {
		for _, row := range tb.Rows {
			rows, tables = append(rows, row), append(tables, tb.Name)
		}
	}
	if len(recs) != len(rows)+1 {
		t.Fatalf("%d CSV lines for %d JSON rows", len(recs)-1, len(rows))
	}
	for i, row := range rows {
		rec := recs[i+1]
		value := ""
		if row.Value != nil {
			value = strconv.FormatFloat(*row.Value, 'f', -1, 64)
		}
		if rec[0] != tables[i] || rec[1] != row.Day || rec[3] != row.Region || rec[5] != row.Measure || rec[6] != value ||
			rec[8] != strconv.FormatBool(row.Suppressed) {
			t.Errorf("CSV line %d %v, JSON row %+v", i+1, rec, row)
		}
		if v, err := strconv.ParseFloat(rec[6], 64); err == nil && small(v) && !strings.HasSuffix(rec[5], "_share") {
			t.Errorf("CSV line %d shows %v", i+1, v)
		}
	}
}
