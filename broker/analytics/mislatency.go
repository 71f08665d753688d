package analytics

import (
	"context"
	"slices"
)

// misOps orders the operations in the mis_latency table: the port's
// methods as the breaker names them, a citizen's way through them first;
// an operation not listed follows, by name.
var misOps = []string{"search_slots", "read_slot", "hold", "book", "cancel", "find_hold",
	"read_appointment", "patient_appointments", "period_appointments"}

// misLatency is the region's MIS calls over the filter's days, per
// operation: calls made (calls), the p50/p90/p99 of the answered ones
// (ok and refused) in milliseconds, the upper bound of the MISCallBounds
// bucket that holds each (Text "more than" for the open top bucket), the
// share of calls that failed (counted against the region) and that were
// cut short, and the calls never made (open: refused by the breaker;
// shed: refused by a full budget).
//
// These count calls, not citizens, yet a hold or a booking is one call
// per booking request: so each day × op × outcome count is a base cell
// like the outcomes', hidden from 1 to MinCount−1, every figure a sum or
// quotient of shown cells (partial when one is left out), and the
// percentiles shown over at least MinCount answered calls.
func (s *Service) misLatency(ctx context.Context, f Filter) (*Table, error) {
	raw, err := s.cfg.Store.misCalls(ctx, f)
	if err != nil {
		return nil, err
	}
	type cellOf struct{ day, op, outcome string }
	cells := map[cellOf]int64{}
	hists := map[string]histogram{}
	for k, n := range raw {
		cells[cellOf{k.day, k.op, k.outcome}] += n
		if k.outcome == MISCallOK || k.outcome == MISCallRefused {
			if hists[k.op] == nil {
				hists[k.op] = histogram{}
			}
			hists[k.op][k.bucket] += n
		}
	}
	type total struct {
		n       int64
		partial bool
	}
	sums := map[[2]string]total{} // op, outcome
	var ops []string
	for c, n := range cells {
		t := sums[[2]string{c.op, c.outcome}]
		if n >= MinCount {
			t.n += n
		} else if n > 0 {
			t.partial = true
		}
		sums[[2]string{c.op, c.outcome}] = t
		ops = append(ops, c.op)
	}
	slices.SortFunc(ops, compareOps)
	ops = slices.Compact(ops)
	t := newTable("mis_latency")
	for _, op := range ops {
		var calls total
		for _, o := range []string{MISCallOK, MISCallRefused, MISCallFailed, MISCallCutShort} {
			c := sums[[2]string{op, o}]
			calls.n, calls.partial = calls.n+c.n, calls.partial || c.partial
		}
		row := Row{Region: f.Region, Operation: op}
		t.add(countRow(withMeasure(row, "calls"), calls.n, calls.partial))
		t.Rows = append(t.Rows, misPercentiles(row, hists[op])...)
		for _, o := range []string{MISCallFailed, MISCallCutShort} {
			if c := sums[[2]string{op, o}]; calls.n > 0 {
				share := valueRow(withMeasure(row, o+"_share"), float64(c.n)/float64(calls.n))
				share.Partial = c.partial || calls.partial
				t.add(share)
			}
		}
		for _, o := range []string{MISCallOpen, MISCallShed} {
			c := sums[[2]string{op, o}]
			t.add(countRow(withMeasure(row, o), c.n, c.partial))
		}
	}
	return t, nil
}

// misPercentiles are p50, p90 and p99 of h in milliseconds, suppressed
// over fewer than MinCount answered calls.
func misPercentiles(row Row, h histogram) []Row {
	var out []Row
	for _, q := range []struct {
		measure string
		q       float64
	}{{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}} {
		r := withMeasure(row, q.measure)
		if h.total() < MinCount {
			r.Suppressed = true
			out = append(out, r)
			continue
		}
		v, open := h.quantile(MISCallBounds, q.q)
		r = valueRow(r, v)
		if open {
			r.Text = "more than"
		}
		out = append(out, r)
	}
	return out
}

func withMeasure(row Row, m string) Row {
	row.Measure = m
	return row
}

// compareOps sorts by misOps, then by name.
func compareOps(a, b string) int {
	ia, ib := slices.Index(misOps, a), slices.Index(misOps, b)
	switch {
	case ia >= 0 && ib >= 0:
		return ia - ib
	case ia >= 0:
		return -1
	case ib >= 0:
		return 1
	}
	return compareStrings(a, b)
}
