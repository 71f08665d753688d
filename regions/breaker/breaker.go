package breaker

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/sony/gobreaker/v2"

	"github.com/fedhealth/federation/contracts"
)

// MIS decorates a contracts.MIS with the region's breaker and concurrency
// limits: one for the sagas' calls, a smaller one for slot searches. It is
// safe for concurrent use.
type MIS struct {
	cfg  Config
	next contracts.MIS
	cb   *gobreaker.TwoStepCircuitBreaker[struct{}]
	// newWork and compensation are the class budgets of the sagas' calls
	// in flight; latency is the region's, shared by both.
	newWork, compensation *budget
	latency               *latency
	searches              chan struct{} // slot searches' places, apart from the sagas'
	logger                *slog.Logger
	tel                   *telemetry

	hookSeq       atomic.Uint64
	hookMu        sync.Mutex
	hookDelivered uint64
}

var (
	_ contracts.MIS                      = (*MIS)(nil)
	_ contracts.AppointmentReader        = (*MIS)(nil)
	_ contracts.PatientAppointmentReader = (*MIS)(nil)
)

// New wraps next. A nil logger discards.
func New(cfg Config, next contracts.MIS, logger *slog.Logger) (*MIS, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if next == nil {
		return nil, fmt.Errorf("breaker for region %s without an MIS: %w", cfg.Region, contracts.ErrInvalid)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m := &MIS{cfg: cfg, next: next, logger: logger, latency: &latency{},
		searches: make(chan struct{}, cfg.SearchMaxConcurrent)}
	m.newWork = newBudget(cfg.MaxConcurrent, m.latency, 0)
	m.compensation = newBudget(cfg.MaxCompensating, m.latency, compensationWait)
	m.cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:          cfg.Region,
		MaxRequests:   cfg.HalfOpenMaxRequests,
		Interval:      cfg.Interval,
		Timeout:       cfg.OpenTimeout,
		ReadyToTrip:   func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= cfg.ConsecutiveFailures },
		IsSuccessful:  IsSuccessful,
		IsExcluded:    func(err error) bool { return errors.Is(err, errNotTheRegion) },
		OnStateChange: m.onStateChange,
	})
	tel, err := newTelemetry(cfg, m.cb)
	if err != nil {
		return nil, fmt.Errorf("breaker for region %s telemetry: %w", cfg.Region, err)
	}
	m.tel = tel
	return m, nil
}

// Close stops reporting the breaker's state gauge. The MIS keeps working.
func (m *MIS) Close() error { return m.tel.close() }

// Status tells citizens what to expect of the region: closed is available,
// half-open degraded, open unavailable.
func (m *MIS) Status() contracts.RegionStatus { return statusOf(m.cb.State()) }

func statusOf(s gobreaker.State) contracts.RegionStatus {
	switch s {
	case gobreaker.StateClosed:
		return contracts.RegionAvailable
	case gobreaker.StateHalfOpen:
		return contracts.RegionDegraded
	default:
		return contracts.RegionUnavailable
	}
}

// IsSuccessful decides what the breaker counts against the region: any
// answer from a healthy MIS (contracts.Kind.Answered: its business
// refusals, not-found, invalid, conflict) is a success; unavailability,
// unknown outcomes, timeouts and anything unclassified are failures. A
// caller's own cancellation and a search cut short by SearchTimeout never
// reach IsSuccessful: the breaker excludes them (counted neither way), since
// they say nothing about the region.
func IsSuccessful(err error) bool { return err == nil || contracts.KindOf(err).Answered() }
