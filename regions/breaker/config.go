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

	// MeterProvider defaults to the otel global one.
	MeterProvider metric.MeterProvider `yaml:"-"`
	// OnStateChange, when set, learns each new status of the region, for
	// example to persist it. It runs on its own goroutine, never under the
	// breaker's lock, so it may be slow; when transitions race, only the
	// latest is delivered.
	OnStateChange func(region string, to contracts.RegionStatus) `yaml:"-"`
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
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("breaker config: %w: %w", err, contracts.ErrInvalid)
	}
	return nil
}
