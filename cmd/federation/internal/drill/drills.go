package drill

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
)

// drillFunc runs one drill's load and fault on a ready env and fills in r;
// the settle and the counts are common to all.
type drillFunc func(ctx context.Context, e *env, r *Result) error

var drills = map[string]drillFunc{
	"kill":       killDrill,
	"mis-down":   faultDrill(func(e *env) (missim.Faults, time.Duration) { return missim.Faults{Down: true}, e.t.fault }),
	"mis-errors": faultDrill(func(e *env) (missim.Faults, time.Duration) { return missim.Faults{ErrorRate: 0.2}, e.t.fault }),
	"commit-timeout": faultDrill(func(e *env) (missim.Faults, time.Duration) {
		return missim.Faults{TimeoutAfterCommitRate: 0.3}, e.t.fault
	}),
	"duplicates":    duplicatesDrill,
	"poison":        poisonDrill,
	"kafka-kill":    kafkaKillDrill,
	"instance-kill": instanceKillDrill,
	"stall":         stallDrill,
	"isolation":     isolationDrill,
	"reconcile":     reconcileDrill,
}

// faultDrill runs a baseline without faults, then load while one region
// of every kind (chosen by seed) suffers the fault, then lifts it; the
// healthy regions' latency is compared with the baseline.
func faultDrill(fault func(*env) (missim.Faults, time.Duration)) drillFunc {
	return func(ctx context.Context, e *env, r *Result) error {
		faulted := e.pickPerKind()
		f, d := fault(e)
		r.extra("regions", strings.Join(faulted, ","))
		// As long as the fault, so that the healthy regions' p99 before and
		// during it rest on as many bookings (two of the five regions are
		// left healthy: a short baseline's p99 would be its maximum).
		e.load.phase(ctx, "baseline", e.codes, e.cfg.Rate, d)
		e.load.wait(e.t.deadline)
		// The feed region's bookings accepted so far sit in its operator
		// queue: its publisher failing must not touch them (the feed
		// invariants check that each ends as the operator bot decided).
		r.extra("feed_queued_at_fault", e.countKind(contracts.RegionFeed))
		for _, code := range faulted {
			e.fault(code, f)
		}
		e.load.phase(ctx, "fault", e.codes, e.cfg.Rate, d)
		for _, code := range faulted {
			e.fault(code, missim.Faults{})
		}
		e.load.wait(e.t.deadline + 30*time.Second)
		r.isolation(e.load.bookings(), faulted...)
		return nil
	}
}

// isolationDrill makes the SOAP region slow (answers after three call
// timeouts) for the first half of the fault and down for the second, and
// compares the other regions' p99 during it with the all-healthy
// baseline: one region of whatever kind must never slow another.
func isolationDrill(ctx context.Context, e *env, r *Result) error {
	region := e.firstOfKind(contracts.RegionSOAP)
	if region == "" {
		return errors.New("the isolation drill needs a soap region")
	}
	r.extra("region", region)
	r.extra("kind", contracts.RegionSOAP)
	// A baseline as long as the fault: its p99 is the figure compared.
	e.load.phase(ctx, "baseline", e.codes, e.cfg.Rate, e.t.fault)
	e.load.wait(e.t.deadline)
	e.fault(region, missim.Faults{LatencyMS: int(3 * callTimeout / time.Millisecond)})
	e.load.phase(ctx, "fault", e.codes, e.cfg.Rate, e.t.fault/2)
	down := time.Now()
	e.fault(region, missim.Faults{Down: true})
	e.load.phase(ctx, "fault", e.codes, e.cfg.Rate, e.t.fault/2)
	e.fault(region, missim.Faults{})
	e.load.wait(e.t.deadline + 30*time.Second)
	all := e.load.bookings()
	healthy := func(b *accepted) bool { return b.Region != region && b.Phase == "fault" }
	r.extra("slow_p99", p99(all, func(b *accepted) bool { return healthy(b) && b.Start.Before(down) }).Round(time.Millisecond))
	r.extra("down_p99", p99(all, func(b *accepted) bool { return healthy(b) && !b.Start.Before(down) }).Round(time.Millisecond))
	r.isolation(all, region)
	return nil
}

// killDrill kills the broker with SIGKILL at random moments under load and
// starts it again on the same data and config.
func killDrill(ctx context.Context, e *env, r *Result) error {
	defer e.loadInBackground(ctx)()
	kills := 0
	for kills < e.t.kills {
		lo, hi := e.t.killEvery[0], e.t.killEvery[1]
		sleep(ctx, lo+time.Duration(e.rng.Int64N(int64(hi-lo))))
		if err := e.broker.kill(); err != nil {
			return fmt.Errorf("kill: %w", err)
		}
		kills++
		if err := e.broker.start(ctx); err != nil {
			return fmt.Errorf("restart after kill %d: %w", kills, err)
		}
	}
	r.extra("kills", kills)
	return nil
}
