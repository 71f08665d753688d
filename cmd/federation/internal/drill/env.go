package drill

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"time"

	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
)

// holdTTL is the simulators' hold lifetime: short, so that an orphan hold
// shows within a drill.
const holdTTL = 30 * time.Second

// orphanMargin is how long past its expiry a hold may still read pending.
const orphanMargin = 5 * time.Second

// env is one drill's world: simulators, the broker child, the load.
type env struct {
	cfg    Config
	t      timing
	dir    string
	rng    *mrand.Rand
	sims   []*fleet.Simulator
	codes  []string
	broker *broker
	run    string        // this drill's id: citizens, keys, Kafka namespace
	regs   []regionEntry // the simulated regions the broker is configured with
	client *client
	load   *load
	idp    *issuer
}

// setup starts the simulators and the broker, and gathers free slots.
func setup(ctx context.Context, cfg Config, binary, name string) (*env, error) {
	dir, err := os.MkdirTemp("", "federation-drill-"+name+"-")
	if err != nil {
		return nil, err
	}
	e := &env{cfg: cfg, t: cfg.timing(), dir: dir, rng: mrand.New(mrand.NewPCG(uint64(cfg.Seed), uint64(len(name))))}
	if e.sims, err = fleet.StartSimulators(fleet.Regions[:5], cfg.Seed, holdTTL, slog.New(slog.DiscardHandler)); err != nil {
		return e, err
	}
	var regs []regionEntry
	for _, s := range e.sims {
		e.codes = append(e.codes, s.Region.Code)
		regs = append(regs, regionEntry{Code: s.Region.Code, Name: s.Region.Name, TimeZone: s.Region.TimeZone, URL: s.URL})
	}
	run := runID()
	e.run, e.regs = run, regs
	if e.idp, err = startIssuer(); err != nil {
		return e, err
	}
	e.cfg.issuer = e.idp.url()
	if e.broker, err = newBroker(binary, dir, run, e.cfg, regs, tuningFor(name, e.t)); err != nil {
		return e, err
	}
	if err := e.broker.start(ctx); err != nil {
		return e, err
	}
	e.client = newClient(e.broker.url, e.idp.dev)
	e.load = newLoad(ctx, e.client, run, cfg.Bookings)
	return e, e.load.gather(ctx, e.codes, cfg.Seed)
}

// runID tells this drill's citizens and keys apart from other runs' in a
// shared database.
func runID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// close stops everything; the directory stays when keep is set.
func (e *env) close(keep bool) {
	if e.broker != nil {
		_ = e.broker.stop()
	}
	_ = fleet.CloseAll(e.sims)
	if e.idp != nil {
		_ = e.idp.close()
	}
	if !keep {
		_ = os.RemoveAll(e.dir)
	}
}

// sim returns the simulator of region code.
func (e *env) sim(code string) *fleet.Simulator {
	for _, s := range e.sims {
		if s.Region.Code == code {
			return s
		}
	}
	return nil
}

// pickRegion chooses the region to fault, by seed.
func (e *env) pickRegion() string { return e.codes[e.rng.IntN(len(e.codes))] }

// fault sets region's faults, panicking on an invalid value (a bug here).
func (e *env) fault(region string, f missim.Faults) {
	if err := e.sim(region).MIS.SetFaults(f); err != nil {
		panic(fmt.Sprintf("drill: faults %+v: %v", f, err))
	}
}

// others lists every region but one.
func (e *env) others(region string) []string {
	var out []string
	for _, c := range e.codes {
		if c != region {
			out = append(out, c)
		}
	}
	return out
}

// loadInBackground offers load (phase "fault") until the returned stop is
// called, which waits for the load loop to end.
func (e *env) loadInBackground(ctx context.Context) (stop func()) {
	loadCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.load.phase(loadCtx, "fault", e.codes, e.cfg.Rate, time.Hour)
	}()
	return func() { cancel(); <-done }
}
