package fhir

import (
	"github.com/fedhealth/federation/regions/mishttp"

	"errors"
	"fmt"
	"net/url"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/fedhealth/federation/contracts"
)

// Config configures one Client, that is, the endpoint of one region's MIS.
// MIS endpoints come only from configuration, never from a request.
type Config struct {
	// Region is the region this MIS serves. Its TimeZone renders query dates
	// and places every time read from the MIS in the region's location.
	Region contracts.Region `yaml:"-"`
	// BaseURL is the absolute http or https URL the contract's paths are
	// relative to, e.g. "https://mis.example.ru/fhir".
	BaseURL string `yaml:"base_url"`
	// BearerToken is sent as "Authorization: Bearer ..." when set. It is a
	// secret: it never appears in logs or errors.
	BearerToken string `yaml:"bearer_token"`
	// TLS names the PEM files for mutual TLS; all optional.
	TLS mishttp.TLSFiles `yaml:"tls"`
	// CallTimeout bounds one HTTP attempt (default 5s); the caller's context
	// bounds the whole call, retries included.
	CallTimeout time.Duration `yaml:"call_timeout"`
	// Retry shapes the retries of one call.
	Retry RetryConfig `yaml:"retry"`

	// MeterProvider and TracerProvider default to the otel globals.
	MeterProvider  metric.MeterProvider `yaml:"-"`
	TracerProvider trace.TracerProvider `yaml:"-"`
}

// RetryConfig shapes the retries of one call.
type RetryConfig struct {
	// MaxAttempts counts the first attempt too (default 3).
	MaxAttempts int `yaml:"max_attempts"`
	// WaitMin and WaitMax bound the jittered exponential backoff
	// (defaults 50ms and 1s).
	WaitMin time.Duration `yaml:"wait_min"`
	WaitMax time.Duration `yaml:"wait_max"`
	// RetryAfterCap caps how long a Retry-After header may make us wait
	// (default 2s): a hostile or confused MIS must not park our workers.
	RetryAfterCap time.Duration `yaml:"retry_after_cap"`
}

func (c *Config) setDefaults() {
	if c.CallTimeout == 0 {
		c.CallTimeout = 5 * time.Second
	}
	if c.Retry.MaxAttempts == 0 {
		c.Retry.MaxAttempts = 3
	}
	if c.Retry.WaitMin == 0 {
		c.Retry.WaitMin = 50 * time.Millisecond
	}
	if c.Retry.WaitMax == 0 {
		c.Retry.WaitMax = time.Second
	}
	if c.Retry.RetryAfterCap == 0 {
		c.Retry.RetryAfterCap = 2 * time.Second
	}
}

// Validate reports what is wrong with c, wrapping contracts.ErrInvalid.
func (c Config) Validate() error {
	var errs []error
	if !contracts.ValidRegionCode(c.Region.Code) {
		errs = append(errs, fmt.Errorf("region code %q malformed", c.Region.Code))
	}
	if _, err := time.LoadLocation(c.Region.TimeZone); err != nil || c.Region.TimeZone == "" {
		errs = append(errs, fmt.Errorf("region time zone %q does not load", c.Region.TimeZone))
	}
	if err := validateBaseURL(c.BaseURL); err != nil {
		errs = append(errs, err)
	}
	if err := c.TLS.Validate(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.Retry.validate(), positive("call_timeout", c.CallTimeout))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("fhir client config: %w: %w", err, contracts.ErrInvalid)
	}
	return nil
}

func (r RetryConfig) validate() error {
	if r.MaxAttempts < 1 {
		return fmt.Errorf("retry max_attempts %d below 1", r.MaxAttempts)
	}
	if r.WaitMax < r.WaitMin {
		return errors.New("retry wait_max below wait_min")
	}
	return errors.Join(positive("retry wait_min", r.WaitMin), positive("retry retry_after_cap", r.RetryAfterCap))
}

func positive(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s %v not positive", name, d)
	}
	return nil
}

// validateBaseURL accepts only absolute http(s) URLs without credentials or
// query: credentials belong in BearerToken or TLS, where they are not logged
// with every URL.
func validateBaseURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("base_url does not parse")
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("base_url scheme %q is not http or https", u.Scheme)
	case u.Host == "":
		return errors.New("base_url has no host")
	case u.User != nil:
		return errors.New("base_url must not carry credentials")
	case u.RawQuery != "" || u.Fragment != "":
		return errors.New("base_url must not carry a query or fragment")
	}
	return nil
}
