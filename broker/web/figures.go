package web

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/sagas"
)

// figureTable is one report table as the page shows it: a text table
// (every figure, hidden ones said so) and, for most, the chart drawn from
// the same cells.
type figureTable struct {
	Name, Title string
	Heads       []string // the key columns' headings, then the figures'
	Rows        []figureRow
	// Chart is the chart's data (JSON for static/dash.js); "" for a table
	// drawn as text only (the MIS's health).
	Chart  string
	Hidden bool // some cell hidden or some total partial
	Empty  bool
	// List tables (health, probes) are one line per event.
	List bool
}

type figureRow struct {
	Keys  []string
	Cells []figureCell
}

type figureCell struct {
	Measure, Text string
	Hidden        bool // suppressed: a count from 1 to 9, or what would reveal one
	Partial       bool // a total leaving hidden cells out
}

// tableKinds say how a table is read: percentiles (with a unit), health
// events (one line each, no chart), or counts (the rest).
var (
	percentileUnits = map[string]string{"latency_seconds": "a.u.s", "latency_seconds_by_day": "a.u.s",
		"waiting_hours": "a.u.h", "waiting_hours_all_specialties": "a.u.h", "next_free_slot_hours": "a.u.h",
		"mis_latency": "a.u.ms"}
	listTables = map[string]bool{"breaker_transitions": true, "callback_rejections": true, "feed_sync": true, "conformance_probes": true}
	// chartedOnly names, for a table of mixed measures, the ones its chart
	// draws (the rest, counts beside milliseconds, in the table only).
	chartedOnly = map[string][]string{"mis_latency": {"p50", "p90", "p99"}}
	// measureOrder fixes the columns of a table whose rows do not all
	// carry every measure (an operation whose calls are all hidden has no
	// shares): else the first row's measures would come first.
	measureOrder = map[string][]string{"mis_latency": {"calls", "p50", "p90", "p99", "failed_share", "cut_short_share", "open", "shed"}}
)

// charted reports whether the chart of table draws column c: never a
// share (the counts' own proportions), and for a table of mixed measures
// only those of its unit.
func charted(table, c string) bool {
	if only, ok := chartedOnly[table]; ok {
		return slices.Contains(only, c)
	}
	return !strings.HasSuffix(c, "_share")
}

// chartSpec is what static/dash.js draws; a nil value is a hidden cell,
// drawn as a gap, never as zero.
type chartSpec struct {
	Type     string         `json:"type"`
	Labels   []string       `json:"labels"`
	Datasets []chartDataset `json:"datasets"`
	Y        string         `json:"y,omitempty"`
	Stacked  bool           `json:"stacked,omitempty"`
}

type chartDataset struct {
	Label string     `json:"label"`
	Data  []*float64 `json:"data"`
}

// figures turns t into its page form.
func figures(t *analytics.Table, lang sagas.Lang, names map[string]string) figureTable {
	ft := figureTable{Name: t.Name, Title: trOr(lang, "a.t."+t.Name, t.Name), Empty: len(t.Rows) == 0}
	for _, row := range t.Rows {
		ft.Hidden = ft.Hidden || row.Suppressed || row.Partial
	}
	if listTables[t.Name] {
		return listFigures(ft, t, lang)
	}
	return pivotFigures(ft, t, lang, names)
}

// listFigures is a health table: when, what, and its figure or word.
func listFigures(ft figureTable, t *analytics.Table, lang sagas.Lang) figureTable {
	ft.List = true
	ft.Heads = []string{tr(lang, "a.h.at"), tr(lang, "a.h.what"), tr(lang, "a.h.value")}
	for _, row := range t.Rows {
		at := ""
		if row.At != nil {
			at = row.At.UTC().Format("2006-01-02 15:04:05") + " UTC"
		}
		what := trOr(lang, "a.m."+row.Measure, row.Measure)
		var value string
		switch {
		case t.Name == "conformance_probes" && row.Value != nil && *row.Value == 1:
			value = tr(lang, "a.passed")
		case t.Name == "conformance_probes":
			value = tr(lang, "a.failed")
		case row.Value != nil:
			value = formatNumber(*row.Value)
		}
		if row.Text != "" {
			value = strings.TrimPrefix(value+" · "+trOr(lang, "a.s."+row.Text, row.Text), " · ")
		}
		ft.Rows = append(ft.Rows, figureRow{Keys: []string{at, what}, Cells: []figureCell{{Measure: row.Measure, Text: value}}})
	}
	return ft
}

// rowKey is a figure's place in the pivot: its keys but the one that
// makes the columns.
type rowKey struct{ day, region, specialty, op string }

// pivotFigures lays t out with one row per day, region or specialty and
// one column per measure; a table of one measure by day and region (the
// bookings per day) gets one column per region instead, so its chart has
// a series per region.
func pivotFigures(ft figureTable, t *analytics.Table, lang sagas.Lang, names map[string]string) figureTable {
	var hasDay, hasRegion, hasSpec, hasOp bool
	var measures, regions []string
	for _, row := range t.Rows {
		hasDay, hasRegion, hasSpec = hasDay || row.Day != "", hasRegion || row.Region != "", hasSpec || row.Specialty != ""
		hasOp = hasOp || row.Operation != ""
		if !slices.Contains(measures, row.Measure) {
			measures = append(measures, row.Measure)
		}
		if !slices.Contains(regions, row.Region) {
			regions = append(regions, row.Region)
		}
	}
	if order, ok := measureOrder[t.Name]; ok {
		slices.SortStableFunc(measures, func(a, b string) int { return rank(order, a) - rank(order, b) })
	}
	byRegion := len(measures) == 1 && hasDay && len(regions) > 1
	cols, colOf := measures, func(r analytics.Row) string { return r.Measure }
	if byRegion {
		cols, colOf = regions, func(r analytics.Row) string { return r.Region }
		hasRegion = false
	}
	if hasDay {
		ft.Heads = append(ft.Heads, tr(lang, "a.h.day"))
	}
	if hasRegion {
		ft.Heads = append(ft.Heads, tr(lang, "a.h.region"))
	}
	if hasSpec {
		ft.Heads = append(ft.Heads, tr(lang, "a.h.spec"))
	}
	if hasOp {
		ft.Heads = append(ft.Heads, tr(lang, "a.h.op"))
	}
	for _, c := range cols {
		if byRegion {
			ft.Heads = append(ft.Heads, regionLabel(lang, c, names))
		} else {
			ft.Heads = append(ft.Heads, trOr(lang, "a.m."+c, c))
		}
	}
	var keys []rowKey
	cells := map[rowKey]map[string]analytics.Row{}
	for _, row := range t.Rows {
		k := rowKey{day: row.Day, specialty: row.Specialty, op: row.Operation}
		if !byRegion {
			k.region = row.Region
		}
		if cells[k] == nil {
			cells[k] = map[string]analytics.Row{}
			keys = append(keys, k)
		}
		cells[k][colOf(row)] = row
	}
	unit, percentiles := percentileUnits[t.Name]
	spec := chartSpec{Type: "bar"}
	if percentiles {
		spec.Y = tr(lang, unit)
	} else if (byRegion || hasDay) && len(keys) >= 3 {
		spec.Type = "line" // days in a row; a day or two read better as bars
	}
	for _, c := range cols {
		if !charted(t.Name, c) {
			continue
		}
		label := trOr(lang, "a.m."+c, c)
		if byRegion {
			label = regionLabel(lang, c, names)
		}
		spec.Datasets = append(spec.Datasets, chartDataset{Label: label})
	}
	for _, k := range keys {
		var fr figureRow
		if hasDay {
			fr.Keys = append(fr.Keys, k.day)
		}
		if hasRegion {
			fr.Keys = append(fr.Keys, regionLabel(lang, k.region, names))
		}
		if hasSpec {
			fr.Keys = append(fr.Keys, specialtyLabel(lang, k.specialty))
		}
		if hasOp {
			fr.Keys = append(fr.Keys, trOr(lang, "a.op."+k.op, k.op))
		}
		spec.Labels = append(spec.Labels, joinLabel(fr.Keys))
		i := 0
		for _, c := range cols {
			row, ok := cells[k][c]
			cell := figureCell{Measure: c}
			var value *float64
			switch {
			case !ok && !percentiles:
				cell.Text, value = "0", new(float64) // a count of no events is left out of the report
			case !ok:
				cell.Text = "—"
			case row.Suppressed || row.Value == nil:
				cell.Text, cell.Hidden = tr(lang, "a.hidden"), true
			default:
				value, cell.Partial = row.Value, row.Partial
				cell.Text = formatFigure(c, row, lang)
			}
			fr.Cells = append(fr.Cells, cell)
			if charted(t.Name, c) {
				spec.Datasets[i].Data = append(spec.Datasets[i].Data, value)
				i++
			}
		}
		ft.Rows = append(ft.Rows, fr)
	}
	if len(keys) == 1 && !percentiles && len(spec.Datasets) > 1 {
		spec = transpose(spec) // one row (one region): a bar per measure reads better than a legend of colours
	}
	if !ft.Empty {
		b, _ := json.Marshal(spec)
		ft.Chart = string(b)
	}
	return ft
}

// rank is m's place in order, after all of them when it is not listed.
func rank(order []string, m string) int {
	if i := slices.Index(order, m); i >= 0 {
		return i
	}
	return len(order)
}

// transpose makes a one-label chart's series its labels.
func transpose(spec chartSpec) chartSpec {
	out := chartSpec{Type: "bar", Y: spec.Y, Datasets: []chartDataset{{Label: spec.Labels[0]}}}
	for _, d := range spec.Datasets {
		out.Labels = append(out.Labels, d.Label)
		out.Datasets[0].Data = append(out.Datasets[0].Data, d.Data[0])
	}
	return out
}

// formatFigure is a cell's text: a share in per cent, a percentile's
// open top bucket as "more than", a partial total marked with *.
func formatFigure(measure string, row analytics.Row, lang sagas.Lang) string {
	v := *row.Value
	var s string
	switch {
	case strings.HasSuffix(measure, "_share"):
		s = strconv.FormatFloat(v*100, 'f', 1, 64) + " %"
	default:
		s = formatNumber(v)
	}
	if row.Text == "more than" {
		s = tr(lang, "a.morethan") + " " + s
	}
	if row.Partial {
		s += "*"
	}
	return s
}

// formatNumber is v as the CSV writes it (the shortest exact form), so
// the table and its CSV read alike.
func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
