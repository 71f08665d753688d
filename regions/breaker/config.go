package breaker

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/fedhealth/federation/contracts"
)

// Config configures the breaker and concurrency limit of one region.
type Config struct {
	// Region is the region code; it names the breaker in logs and metrics.
	Region string `yaml:"-"`
	// ConsecutiveFailures trips the breaker (default 5).
	ConsecutiveFailures uint32 `yaml:"consecutive_failures"`
	// OpenTimeout is how long the breaker stays open before it lets probes
	// through (half-open); default 5s.
	OpenTimeout time.Duration `yaml:"open_timeout"`
	// HalfOpenMaxRequests probes are let through while half-open; that many
	// successes close the breaker (default 1).
	HalfOpenMaxRequests uint32 `yaml:"half_open_max_requests"`
	// Interval clears the failure counts while closed (default 60s).
	Interval time.Duration `yaml:"interval"`
	// MaxConcurrent caps the calls in flight to the MIS (default 32);
	// further callers wait for a place as long as their context allows.
	MaxConcurrent int `yaml:"max_concurrent"`
	// MaxCompensating caps the compensation calls in flight (releasing
	// what ended bookings left at the MIS), a budget of their own beside
	// MaxConcurrent so neither starves the other; default a quarter of
	// MaxConcurrent, at least 2.
	MaxCompensating int `yaml:"max_compensating"`
	// SearchMaxConcurrent caps the slot searches in flight to the MIS
	// (default 8). Searches have this budget of their own and never take or
	// wait for a place of MaxConcurrent, so a flood of searches cannot
	// starve the sagas' holds and bookings; the MIS sees at most
	// MaxConcurrent + SearchMaxConcurrent calls. A search that finds every
	// search place taken is refused at once (ErrSearchBusy): it is a
	// citizen's read, cheaper to retry than to queue.
	SearchMaxConcurrent int `yaml:"search_max_concurrent"`
	// SearchTimeout bounds one slot search, retries included (default 3s,
	// shorter than the MIS client's call_timeout): a citizen is waiting for
	// the list, and a slow search must not hold its place for long. A search
	// cut short by it is answered ErrSearchBusy and not held against the
	// region; the sagas' calls, with their longer timeout, judge its health.
	SearchTimeout time.Duration `yaml:"search_timeout"`

	// MeterProvider defaults to the otel global one.
	MeterProvider metric.MeterProvider `yaml:"-"`
	// OnStateChange, when set, learns each new status of the region, for
	// example to persist it. It runs on its own goroutine, never under the
	// breaker's lock, so it may be slow; when transitions race, only the
	// latest is delivered.
	OnStateChange func(region string, to contracts.RegionStatus) `yaml:"-"`
	// OnCall, when set, learns every call of the port through the
	// decorator once it ends: its operation (search_slots, read_slot,
	// hold, book, cancel, find_hold, read_appointment,
	// patient_appointments, period_appointments), how long the MIS took
	// (zero when no call was made) and its Outcome. It runs on the
	// caller's goroutine after the call, so it must be quick (count in
	// memory, write elsewhere).
	OnCall func(op string, d time.Duration, o Outcome) `yaml:"-"`
}

func (c *Config) setDefaults() {
	if c.ConsecutiveFailures == 0 {
		c.ConsecutiveFailures = 5
	}
	if c.OpenTimeout == 0 {
		c.OpenTimeout = 5 * time.Second
	}
	if c.HalfOpenMaxRequests == 0 {
		c.HalfOpenMaxRequests = 1
	}
	if c.Interval == 0 {
		c.Interval = 60 * time.Second
	}
	if c.MaxConcurrent == 0 {
		c.MaxConcurrent = 32
	}
	if c.MaxCompensating == 0 {
		c.MaxCompensating = max(2, c.MaxConcurrent/4)
	}
	if c.SearchMaxConcurrent == 0 {
		c.SearchMaxConcurrent = 8
	}
	if c.SearchTimeout == 0 {
		c.SearchTimeout = 3 * time.Second
	}
}

// Validate reports what is wrong with c, wrapping contracts.ErrInvalid.
func (c Config) Validate() error {
	var errs []error
	if !contracts.ValidRegionCode(c.Region) {
		errs = append(errs, fmt.Errorf("region code %q malformed", c.Region))
	}
	if c.OpenTimeout < 0 || c.Interval < 0 {
		errs = append(errs, errors.New("open_timeout and interval must not be negative"))
	}
	if c.MaxConcurrent < 1 || c.MaxCompensating < 1 {
		errs = append(errs, fmt.Errorf("max_concurrent %d and max_compensating %d must be at least 1", c.MaxConcurrent, c.MaxCompensating))
	}
	if c.SearchMaxConcurrent < 1 {
		errs = append(errs, fmt.Errorf("search_max_concurrent %d below 1", c.SearchMaxConcurrent))
	}
	if c.SearchTimeout < 0 {
		errs = append(errs, errors.New("search_timeout must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("breaker config: %w: %w", err, contracts.ErrInvalid)
	}
	return nil
}
