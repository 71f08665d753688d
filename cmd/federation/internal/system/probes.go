package system

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fedhealth/federation/broker/probes"
	"github.com/fedhealth/federation/contracts"
	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/conformance"
	"github.com/fedhealth/federation/regions/mishttp"
)

// The live conformance probes' defaults (docs/operations.md, "Live
// conformance probes").
const (
	// DefaultProbeInterval is how often a region is probed when the config
	// does not say.
	DefaultProbeInterval = 10 * time.Minute
	// DefaultProbeTimeout bounds one run of a region's probes.
	DefaultProbeTimeout = 2 * time.Minute
	// DefaultProbeRetention is how long the history of runs is kept.
	DefaultProbeRetention = 90 * 24 * time.Hour
)

// Bounds inside a run: a read-only requirement makes a few calls, so a
// requirement that takes longer than probeRequirementTimeout, or a call
// longer than probeCallTimeout, is the MIS's failure, not worth waiting
// for.
const (
	probeRequirementTimeout = 30 * time.Second
	probeCallTimeout        = 10 * time.Second
)

// probePruneEvery is how often runs past the retention are deleted.
const probePruneEvery = time.Hour

// ProbeDropped are the read-only requirements the live probes never run,
// by ID, with the reason: each sends a patient's identifiers, and against
// a production MIS a synthetic SNILS with a valid checksum may be a real
// citizen's.
var ProbeDropped = map[string]string{
	"SOAP-PATIENT-01": "GetPatientInfo opens a session with a patient's OMS policy number and SNILS",
}

// ProbeOptions schedule serve's live conformance probes.
type ProbeOptions struct {
	// Interval between two runs of a region: 0 means
	// DefaultProbeInterval, negative turns the probes off.
	Interval time.Duration
	// Regions override Interval by region code; 0 or negative turns that
	// region's probes off.
	Regions map[string]time.Duration
	// Timeout bounds one run of a region (default DefaultProbeTimeout).
	Timeout time.Duration
	// Retention is how long runs are kept (default DefaultProbeRetention).
	Retention time.Duration
}

// every is the interval of region, 0 when its probes are off.
func (o ProbeOptions) every(region string) time.Duration {
	return scheduleEvery(o.Interval, o.Regions, DefaultProbeInterval, region)
}

func (o ProbeOptions) timeout() time.Duration {
	if o.Timeout <= 0 {
		return DefaultProbeTimeout
	}
	return o.Timeout
}

func (o ProbeOptions) retention() time.Duration {
	if o.Retention <= 0 {
		return DefaultProbeRetention
	}
	return o.Retention
}

// ProbedIDs are the requirements the live probes run against a region of
// kind k: its read-only ones, less ProbeDropped.
func ProbedIDs(k contracts.RegionKind) ([]string, error) {
	ids, err := conformance.ReadOnlyIDs(k)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ids, func(id string) bool { _, drop := ProbeDropped[id]; return drop }), nil
}

// prober runs the probes of one system's regions.
type prober struct {
	store   *probes.Store
	ledger  conformance.Ledger
	opts    ProbeOptions
	holder  string
	metrics *probeMetrics
	logger  *slog.Logger
}

// startProbing runs each region's probes until ctx ends, and prunes the
// history. The first run of a region waits a random part of its interval,
// so regions and instances started together spread out; a run another
// instance holds the region's lease for is skipped.
func (s *System) startProbing(ctx context.Context, opts Options, m *probeMetrics) {
	p := &prober{store: s.probes, ledger: s.ledger, opts: opts.Probes, holder: instanceName(), metrics: m, logger: s.logger}
	s.goRun(func() error { return p.prune(ctx) })
	for _, c := range opts.Regions {
		every := opts.Probes.every(c.Code)
		if every == 0 {
			continue
		}
		s.goRun(func() error {
			wait := rand.N(every) + 1
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(wait):
				}
				wait = every - every/10 + rand.N(every/5+1) // ±10%: instances drift apart
				p.probe(ctx, c)
			}
		})
	}
}

// probe runs one region's probes, unless another instance does, and
// records the run.
func (p *prober) probe(ctx context.Context, c regions.Config) {
	timeout := p.opts.timeout()
	got, err := p.store.TakeLease(ctx, c.Code, p.holder, time.Now(), timeout+time.Minute)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			p.logger.Warn("probes: lease not taken; run skipped", "region", c.Code, "err", err)
		}
		return
	case !got:
		p.logger.Debug("probes: another instance probes the region", "region", c.Code)
		return
	}
	defer func() {
		release, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		_ = p.store.ReleaseLease(release, c.Code, p.holder)
		cancel()
	}()
	run, results := p.check(ctx, c, timeout)
	if ctx.Err() != nil {
		return // shutting down: a cut-short run says nothing of the region
	}
	p.metrics.ran(run)
	if err := p.store.Save(ctx, run, results); err != nil {
		p.logger.Warn("probes: run not recorded", "region", c.Code, "err", err)
		return
	}
	log := p.logger.Info
	if !run.OK() {
		log = p.logger.Warn
	}
	log("probes: run", "region", c.Code, "passed", run.Passed, "failed", run.Failed, "skipped", run.Skipped,
		"failed_ids", run.FailedIDs, "err", run.Error)
}

// check runs the probed requirements of c's kind against its endpoint,
// with its credentials, never through its breaker: a probe must neither
// trip it nor be hidden by it.
func (p *prober) check(ctx context.Context, c regions.Config, timeout time.Duration) (probes.Run, []probes.Result) {
	kind := kindOf(c)
	run := probes.Run{Region: c.Code, Kind: string(kind), Started: time.Now().UTC()}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	target, err := probeTarget(c, p.ledger, min(probeCallTimeout, timeout))
	var ids []string
	if err == nil {
		ids, err = ProbedIDs(kind)
	}
	var rep kit.Report
	if err == nil {
		rep, err = conformance.Check(ctx, target, kit.Options{Only: ids, ReadOnly: true,
			Timeout: min(probeRequirementTimeout, timeout), Target: kit.Target{KitVersion: "live probe"}})
	}
	run.Finished = time.Now().UTC()
	if err != nil {
		run.Error = probes.Excerpt([]string{err.Error()}, target.BearerToken)
		return run, nil
	}
	results := make([]probes.Result, 0, len(rep.Results))
	for _, r := range rep.Results {
		res := probes.Result{Requirement: r.ID, Title: r.Title, Required: r.Required, Status: probes.Status(r.Status),
			Duration: r.Duration, CheckedAt: run.Started}
		switch r.Status {
		case kit.StatusFail:
			run.Failed++
			run.FailedIDs = append(run.FailedIDs, r.ID)
			res.Evidence = probes.Excerpt(r.Evidence, target.BearerToken)
		case kit.StatusSkip:
			run.Skipped++
			res.Evidence = probes.Excerpt(r.Log, target.BearerToken) // why it was skipped
		default:
			run.Passed++
		}
		results = append(results, res)
	}
	return run, results
}

// kindOf is c's kind, fhir when the config names none (as the registry).
func kindOf(c regions.Config) contracts.RegionKind {
	if c.Kind == "" {
		return contracts.RegionFHIR
	}
	return c.Kind
}

// probeTarget is the kit's target for c: the endpoint and credentials
// (bearer token, mutual TLS) its adapter uses.
func probeTarget(c regions.Config, l conformance.Ledger, callTimeout time.Duration) (conformance.Target, error) {
	kind := kindOf(c)
	t := conformance.Target{Kind: kind, Ledger: l, Timeout: callTimeout,
		Region: contracts.Region{Code: c.Code, Name: c.Name, TimeZone: c.TimeZone, Kind: kind}}
	var ep mishttp.EndpointConfig
	switch kind {
	case contracts.RegionFHIR:
		t.URL, t.BearerToken, t.TLS = c.MIS.BaseURL, c.MIS.BearerToken, c.MIS.TLS
		return t, nil
	case contracts.RegionFeed:
		t.URL = c.Feed.BaseURL
		return t, nil
	case contracts.RegionSOAP:
		ep = c.SOAP.EndpointConfig
	case contracts.RegionJSONRPC:
		ep = c.JSONRPC.EndpointConfig
	default:
		return t, fmt.Errorf("region %s: kind %s has no conformance requirements: %w", c.Code, kind, contracts.ErrUnsupported)
	}
	t.URL, t.BearerToken, t.TLS = ep.Endpoint, ep.BearerToken, ep.TLS
	return t, nil
}

// prune deletes, hourly until ctx ends, the runs past the retention.
func (p *prober) prune(ctx context.Context) error {
	for {
		n, err := p.store.Prune(ctx, time.Now().Add(-p.opts.retention()))
		switch {
		case err != nil && ctx.Err() == nil:
			p.logger.Warn("probes: old runs not pruned; retried", "err", err)
		case n > 0:
			p.logger.Info("probes: old runs pruned", "runs", n, "older_than", p.opts.retention())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(probePruneEvery):
		}
	}
}
