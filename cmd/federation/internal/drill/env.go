package drill

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
	"github.com/fedhealth/federation/sagas/reconcile"
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
	ledger *stepLedger  // the broker's step ledger, read to tie keyless kinds' appointments to bookings
	bot    *operatorBot // the operators of the feed regions
	// probed are the confirmed feed bookings already asked to confirm
	// again with another appointment id; doubleConfirmed counts those
	// the broker let through (feedCheck).
	probed          map[string]bool
	doubleConfirmed int
	// feedCounts and feedNotes are the feed regions' invariants at the
	// last check (feedCheck).
	feedCounts reconcile.Counts
	feedNotes  []string
	// imported are the bookings made elsewhere that reconciliation
	// imported (the reconcile drill), compared like the load's.
	imported []reconcile.Booking
}

// setup starts the simulators and the broker, and gathers free slots.
func setup(ctx context.Context, cfg Config, binary, name string) (*env, error) {
	dir, err := os.MkdirTemp("", "federation-drill-"+name+"-")
	if err != nil {
		return nil, err
	}
	e := &env{cfg: cfg, t: cfg.timing(), dir: dir, rng: mrand.New(mrand.NewPCG(uint64(cfg.Seed), uint64(len(name)))),
		probed: map[string]bool{}}
	run := runID()
	// The feed's slot ids are this run's own: in a database shared with
	// earlier runs, their confirmed bookings of the same publisher's slots
	// would otherwise use up the feed region's slots, run after run.
	base := missim.Config{Seed: cfg.Seed, HoldTTL: holdTTL, FeedSlotPrefix: "S-" + run + "-"}
	if e.sims, err = fleet.StartSimulatorsFrom(fleet.Regions[:fleet.DefaultCount], base, slog.New(slog.DiscardHandler)); err != nil {
		return e, err
	}
	var regs []regionEntry
	for _, s := range e.sims {
		e.codes = append(e.codes, s.Region.Code)
		regs = append(regs, regionEntry{Code: s.Region.Code, Name: s.Region.Name, TimeZone: s.Region.TimeZone, URL: s.URL, Kind: string(s.Kind())})
	}
	e.ledger = newStepLedger(filepath.Join(dir, "data"), cfg.DatabaseURL)
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
	var feeds []string
	for _, c := range e.codes {
		if e.kind(c) == contracts.RegionFeed {
			feeds = append(feeds, c)
		}
	}
	e.bot = startOperatorBot(ctx, e.client, e.idp.dev, run, feeds)
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
	if e.bot != nil {
		e.bot.close()
	}
	if e.broker != nil {
		_ = e.broker.stop()
	}
	if e.ledger != nil {
		_ = e.ledger.close()
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

// kind returns the kind of region code.
func (e *env) kind(code string) contracts.RegionKind {
	if s := e.sim(code); s != nil {
		return s.Kind()
	}
	return ""
}

// pickPerKind chooses one region of every kind in the drill, by seed, in
// the order of the kinds' first regions: a fault drill faults them all,
// so that every kind's invariants are proven under the fault, and the
// regions left healthy show the isolation.
func (e *env) pickPerKind() []string {
	byKind := map[contracts.RegionKind][]string{}
	var kinds []contracts.RegionKind
	for _, c := range e.codes {
		k := e.kind(c)
		if len(byKind[k]) == 0 {
			kinds = append(kinds, k)
		}
		byKind[k] = append(byKind[k], c)
	}
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = byKind[k][e.rng.IntN(len(byKind[k]))]
	}
	return out
}

// firstOfKind returns the first region of kind k, "" when there is none.
func (e *env) firstOfKind(k contracts.RegionKind) string {
	for _, c := range e.codes {
		if e.kind(c) == k {
			return c
		}
	}
	return ""
}

// fault sets region's faults, panicking on an invalid value (a bug here).
// A feed region's publisher commits nothing, so every fault but down is
// the publisher failing half its reads (publisherFault).
func (e *env) fault(region string, f missim.Faults) {
	if e.kind(region) == contracts.RegionFeed {
		f = publisherFault(f)
	}
	if err := e.sim(region).SetFaults(f); err != nil {
		panic(fmt.Sprintf("drill: faults %+v: %v", f, err))
	}
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

// publisherFault is the publisher's share of an MIS fault: down stays
// down, latency stays latency, and an error or commit fault (there is no
// commit at a publisher) is half its reads failing. Either way the
// bookings already in the operator queue must not notice: they no longer
// depend on the feed.
func publisherFault(f missim.Faults) missim.Faults {
	out := missim.Faults{Down: f.Down, LatencyMS: f.LatencyMS}
	if f.ErrorRate > 0 || f.ReadErrorRate > 0 || f.TimeoutAfterCommitRate > 0 || f.ErrorAfterCommitRate > 0 {
		out.ErrorRate = 0.5
	}
	return out
}

// countKind counts the bookings accepted so far in the regions of kind k.
func (e *env) countKind(k contracts.RegionKind) int {
	n := 0
	for _, b := range e.load.bookings() {
		if e.kind(b.Region) == k {
			n++
		}
	}
	return n
}

// writeBookings writes the load's bookings, one JSON object a line, to
// bookings.jsonl in the drill's directory: region, phase, status and the
// milliseconds from request to final status.
func (e *env) writeBookings() {
	if e.load == nil {
		return
	}
	var b bytes.Buffer
	for _, a := range e.load.bookings() {
		ms := int64(-1)
		if !a.Final.IsZero() {
			ms = a.Final.Sub(a.Start).Milliseconds()
		}
		line, _ := json.Marshal(map[string]any{"id": a.ID, "region": a.Region, "phase": a.Phase,
			"start": a.Start.UTC().Format(time.RFC3339Nano), "status": a.Status, "ms": ms})
		b.Write(append(line, '\n'))
	}
	_ = os.WriteFile(filepath.Join(e.dir, "bookings.jsonl"), b.Bytes(), 0o600)
}
