package analytics

// MinCount is the smallest count shown: a base cell from 1 to MinCount-1
// is suppressed (0 is shown).
const MinCount = 10

// cellKey names a base cell: the one granularity every published count is
// built from (UTC day x region x specialty x outcome).
type cellKey struct {
	day, region, specialty string
	outcome                Outcome
}

// margins are the outcomes that are (up to bookings still in flight) the
// sum of others in the same day x region x specialty: published beside
// their parts, a margin would give away the parts' suppressed sum.
var margins = map[Outcome][]Outcome{
	Requested:           {Confirmed, Rejected, Failed},
	CancelRequested:     {CancelledByCitizen, CancelRefused},
	RescheduleRequested: {Rescheduled, RescheduleFailed},
}

// cell is a base cell as published: its count, or suppressed.
type cell struct {
	n          int64
	suppressed bool
}

// published applies the suppression to the base cells. The decision for
// a cell depends on that cell and its day x region x specialty group
// only, never on the filter a reader chose, so every view publishes the
// same value for the same cell.
func published(raw map[cellKey]int64) map[cellKey]cell {
	out := make(map[cellKey]cell, len(raw))
	for k, n := range raw {
		out[k] = cell{n: n, suppressed: n > 0 && n < MinCount} // primary
	}
	for k, c := range out { // secondary: margins over suppressed parts
		parts, ok := margins[k.outcome]
		if !ok || c.suppressed {
			continue
		}
		var hidden int64
		for _, p := range parts {
			pk := k
			pk.outcome = p
			if pc := out[pk]; pc.suppressed {
				hidden += pc.n
			}
		}
		if hidden > 0 && hidden < MinCount {
			out[k] = cell{n: c.n, suppressed: true}
		}
	}
	return out
}

// sum adds the published cells that match: a suppressed cell adds nothing
// and marks the sum partial, so every published total is itself a sum of
// published cells (0 or at least MinCount each) and no difference of
// published figures can isolate a suppressed one.
func sum(cells map[cellKey]cell, match func(cellKey) bool) (n int64, partial bool) {
	for k, c := range cells {
		if !match(k) {
			continue
		}
		if c.suppressed {
			partial = true
			continue
		}
		n += c.n
	}
	return n, partial
}
