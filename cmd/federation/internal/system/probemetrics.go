package system

import (
	"context"
	"errors"
	"log/slog"

	"github.com/fedhealth/federation/broker/probes"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// probeMetrics are the live probes' metrics: the runs this instance made,
// by region and outcome (take sum over instances), and, read from the
// shared store at each scrape so every instance reports the same figures
// (take max), each requirement's latest status and each region's last run.
type probeMetrics struct {
	runs metric.Int64Counter
}

// The outcomes of a run: no requirement failed, one or more did, or the
// run could not check anything (the region's config unusable).
const (
	probeOutcomePass  = "pass"
	probeOutcomeFail  = "fail"
	probeOutcomeError = "error"
)

func newProbeMetrics(mp metric.MeterProvider, st *probes.Store, logger *slog.Logger) (*probeMetrics, error) {
	m := mp.Meter(meterName)
	runs, err1 := m.Int64Counter("conformance.probe.runs",
		metric.WithDescription("Live conformance probe runs this instance made, by region and outcome (pass, fail, error)."))
	_, err2 := m.Int64ObservableGauge("conformance.requirement.passing",
		metric.WithDescription("1 when the requirement passed its region's latest probe, 0 when it failed (skipped ones are absent; the whole store)."),
		metric.WithInt64Callback(passing(st, logger)))
	_, err3 := m.Float64ObservableGauge("conformance.probe.last_run.timestamp", metric.WithUnit("s"),
		metric.WithDescription("When the region's latest probe run started, Unix seconds (the whole store)."),
		metric.WithFloat64Callback(lastRuns(st, logger)))
	return &probeMetrics{runs: runs}, errors.Join(err1, err2, err3)
}

// ran counts run.
func (m *probeMetrics) ran(run probes.Run) {
	outcome := probeOutcomePass
	switch {
	case run.Error != "":
		outcome = probeOutcomeError
	case run.Failed > 0:
		outcome = probeOutcomeFail
	}
	m.runs.Add(context.Background(), 1, metric.WithAttributes(attribute.String("region", run.Region), attribute.String("outcome", outcome)))
}

// The callbacks log a failed query and observe nothing (see gauges.go).

func passing(st *probes.Store, logger *slog.Logger) metric.Int64Callback {
	return func(ctx context.Context, o metric.Int64Observer) error {
		ctx, cancel := context.WithTimeout(ctx, scrapeTimeout)
		defer cancel()
		all, err := st.LatestAll(ctx)
		if err != nil {
			logger.Debug("probe results not observed", "err", err)
			return nil
		}
		for region, results := range all {
			for _, r := range results {
				if r.Status == probes.StatusSkip {
					continue
				}
				v := int64(0)
				if r.Status == probes.StatusPass {
					v = 1
				}
				o.Observe(v, metric.WithAttributes(attribute.String("region", region), attribute.String("requirement", r.Requirement)))
			}
		}
		return nil
	}
}

func lastRuns(st *probes.Store, logger *slog.Logger) metric.Float64Callback {
	return func(ctx context.Context, o metric.Float64Observer) error {
		ctx, cancel := context.WithTimeout(ctx, scrapeTimeout)
		defer cancel()
		runs, err := st.LastRuns(ctx)
		if err != nil {
			logger.Debug("probe runs not observed", "err", err)
			return nil
		}
		for _, r := range runs {
			o.Observe(float64(r.Started.UnixNano())/1e9, metric.WithAttributes(attribute.String("region", r.Region)))
		}
		return nil
	}
}
