package analytics

import "slices"

// byDay is o's count per day and region (and, with country, per day over
// every region), each a sum of published cells.
func byDay(name string, cells map[cellKey]cell, o Outcome, country bool) *Table {
	t := newTable(name)
	for _, day := range daysOf(cells) {
		for _, region := range regionsOf(cells) {
			n, partial := sum(cells, func(k cellKey) bool { return k.day == day && k.region == region && k.outcome == o })
			if n > 0 || partial {
				t.add(countRow(Row{Day: day, Region: region, Measure: string(o)}, n, partial))
			}
		}
		if country {
			n, partial := sum(cells, func(k cellKey) bool { return k.day == day && k.outcome == o })
			t.add(countRow(Row{Day: day, Region: all, Measure: string(o)}, n, partial))
		}
	}
	return t
}

// byDayEach is each outcome's count per day over the filter's regions.
func byDayEach(name string, cells map[cellKey]cell, outcomes []Outcome) *Table {
	t := newTable(name)
	for _, day := range daysOf(cells) {
		for _, o := range outcomes {
			n, partial := sum(cells, func(k cellKey) bool { return k.day == day && k.outcome == o })
			t.add(countRow(Row{Day: day, Measure: string(o)}, n, partial))
		}
	}
	return t
}

// byRegion is each outcome's count per region (and country-wide), with
// each outcome's share of the row's published total: a share is a
// quotient of published figures, so it reveals nothing they do not.
func byRegion(name string, cells map[cellKey]cell, outcomes []Outcome, country bool) *Table {
	t := newTable(name)
	regions := regionsOf(cells)
	if country {
		regions = append(regions, all)
	}
	for _, region := range regions {
		counts := make([]int64, len(outcomes))
		var total int64
		for i, o := range outcomes {
			n, partial := sum(cells, func(k cellKey) bool { return (region == all || k.region == region) && k.outcome == o })
			t.add(countRow(Row{Region: region, Measure: string(o)}, n, partial))
			if !(n == 0 && partial) {
				counts[i], total = n, total+n
			}
		}
		if total == 0 {
			continue
		}
		for i, o := range outcomes {
			t.add(valueRow(Row{Region: region, Measure: string(o) + "_share"}, float64(counts[i])/float64(total)))
		}
	}
	return t
}

// percentiles are p50, p90 and p99 of the histograms grouped by group
// (and over all of them, with country), shown only over at least
// MinCount observations: fewer would describe a few bookings closely.
func percentiles(name string, hists map[histKey]histogram, bounds []float64, group func(histKey) histKey, country bool) *Table {
	merged := map[histKey]histogram{}
	for k, h := range hists {
		keys := []histKey{group(k)}
		if country {
			keys = append(keys, histKey{region: all})
		}
		for _, g := range keys {
			if merged[g] == nil {
				merged[g] = histogram{}
			}
			for b, n := range h {
				merged[g][b] += n
			}
		}
	}
	keys := make([]histKey, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b histKey) int {
		if c := compareRegion(a.region, b.region); c != 0 {
			return c
		}
		if a.day != b.day {
			return compareStrings(a.day, b.day)
		}
		return compareStrings(a.specialty, b.specialty)
	})
	t := newTable(name)
	for _, k := range keys {
		h := merged[k]
		for _, q := range []struct {
			measure string
			q       float64
		}{{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}} {
			row := Row{Day: k.day, Region: k.region, Specialty: k.specialty, Measure: q.measure}
			if h.total() < MinCount {
				row.Suppressed = true
				t.add(row)
				continue
			}
			v, open := h.quantile(bounds, q.q)
			row = valueRow(row, v)
			if open {
				row.Text = "more than"
			}
			t.add(row)
		}
	}
	return t
}

// compareRegion sorts "all" after every region.
func compareRegion(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == all:
		return 1
	case b == all:
		return -1
	}
	return compareStrings(a, b)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
