package drill

import (
	"fmt"
	"strings"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim/fleet"
	"github.com/fedhealth/federation/sagas/reconcile"
)

// KindResult is one region kind's share of a drill: its regions, the
// bookings accepted there, and the invariants' counts among them.
type KindResult struct {
	Kind     string
	Regions  []string
	Accepted int
	Counts   reconcile.Counts
}

// String is the kind's invariant line, after the drill's name.
func (k KindResult) String() string {
	return fmt.Sprintf("kind=%s regions=%s accepted=%d %s", k.Kind, strings.Join(k.Regions, ","), k.Accepted, k.Counts)
}

// KindLines are the drill's invariant lines, one per region kind.
func (r Result) KindLines() []string {
	out := make([]string, len(r.Kinds))
	for i, k := range r.Kinds {
		out[i] = fmt.Sprintf("drill=%s %s", r.Drill, k)
	}
	return out
}

// perKind splits the comparison by the kind of each difference's region,
// and the requests never answered by theirs.
func (e *env) perKind(rep reconcile.Report) []KindResult {
	var out []KindResult
	index := map[string]int{}
	for _, k := range fleet.Kinds(regionsOf(e.sims)) {
		index[string(k)] = len(out)
		out = append(out, KindResult{Kind: string(k)})
	}
	for _, s := range e.sims {
		k := &out[index[string(s.Kind())]]
		k.Regions = append(k.Regions, s.Region.Code)
		k.Counts.Lost += e.load.unanswered[s.Region.Code]
	}
	for _, b := range e.load.bookings() {
		out[index[string(e.kind(b.Region))]].Accepted++
	}
	if i, ok := index[string(contracts.RegionFeed)]; ok {
		c := &out[i].Counts // the feed regions' counts have no differences of their own (feedCheck)
		c.Lost += e.feedCounts.Lost
		c.Double += e.feedCounts.Double
		c.Orphan += e.feedCounts.Orphan
		c.Mismatch += e.feedCounts.Mismatch
	}
	for _, d := range rep.Differences {
		c := &out[index[string(e.kind(d.Region))]].Counts
		switch d.Kind.Invariant() {
		case "lost":
			c.Lost++
		case "double":
			c.Double++
		case "orphan":
			c.Orphan++
		case "mismatch":
			c.Mismatch++
		}
	}
	return out
}

func regionsOf(sims []*fleet.Simulator) []fleet.Region {
	out := make([]fleet.Region, len(sims))
	for i, s := range sims {
		out[i] = s.Region
	}
	return out
}
