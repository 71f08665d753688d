package drill

import (
	"context"
	"fmt"
	"time"

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
}

// faultDrill runs a baseline without faults, then load while one region
// (chosen by seed) suffers the fault, then lifts it; the healthy regions'
// latency is compared with the baseline.
func faultDrill(fault func(*env) (missim.Faults, time.Duration)) drillFunc {
	return func(ctx context.Context, e *env, r *Result) error {
		region := e.pickRegion()
		f, d := fault(e)
		r.extra("region", region)
		e.load.phase(ctx, "baseline", e.codes, e.cfg.Rate, e.t.baseline)
		e.load.wait(e.t.deadline)
		e.fault(region, f)
		e.load.phase(ctx, "fault", e.codes, e.cfg.Rate, d)
		e.fault(region, missim.Faults{})
		e.load.wait(e.t.deadline + 30*time.Second)
		r.isolation(e.load.bookings(), region)
		return nil
	}
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
