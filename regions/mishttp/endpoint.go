package mishttp

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// DefaultMaxBody bounds an answer: a broken MIS must not exhaust the
// broker's memory.
const DefaultMaxBody = 4 << 20

// EndpointConfig is the operator's configuration of one region's endpoint
// for the styles that POST every call to one URL (SOAP, JSON-RPC). Each
// kind's Config embeds it (yaml ",inline"), so the keys, defaults and
// checks are the same in every such kind. Endpoints come only from
// configuration, never from a request.
type EndpointConfig struct {
	// Endpoint is the absolute http(s) URL every call is POSTed to.
	Endpoint string `yaml:"endpoint"`
	// BearerToken is sent as "Authorization: Bearer ..." when set. Secret:
	// never in logs or errors.
	BearerToken string `yaml:"bearer_token"`
	// TLS names the PEM files for mutual TLS (a client certificate the
	// MIS checks) and a private CA; all optional.
	TLS TLSFiles `yaml:"tls"`
	// CallTimeout bounds one HTTP attempt, body included (default 5s).
	CallTimeout time.Duration `yaml:"call_timeout"`
	// MaxBody bounds an answer's size in bytes (default DefaultMaxBody).
	MaxBody int64 `yaml:"max_body"`
	// ReadAttempts is how many times a safe read (the schedule, the
	// read-back) is tried, the first included (default 3). Nothing else is
	// ever retried.
	ReadAttempts int `yaml:"read_attempts"`
	// RetryWaitMin and RetryWaitMax bound the backoff between read attempts
	// (defaults 50ms and 1s).
	RetryWaitMin time.Duration `yaml:"retry_wait_min"`
	RetryWaitMax time.Duration `yaml:"retry_wait_max"`
}

// SetDefaults fills in what the operator left out.
func (c *EndpointConfig) SetDefaults() {
	if c.CallTimeout == 0 {
		c.CallTimeout = 5 * time.Second
	}
	if c.MaxBody == 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.ReadAttempts == 0 {
		c.ReadAttempts = 3
	}
	if c.RetryWaitMin == 0 {
		c.RetryWaitMin = 50 * time.Millisecond
	}
	if c.RetryWaitMax == 0 {
		c.RetryWaitMax = time.Second
	}
}

// Validate reports every mistake in c and in the region it serves (whose
// time zone renders dates and checks slot offsets), joined; nil when
// there is none. The kind's Config wraps it with its own name.
func (c EndpointConfig) Validate(region contracts.Region) error {
	var errs []error
	if !contracts.ValidRegionCode(region.Code) {
		errs = append(errs, fmt.Errorf("region code %q malformed", region.Code))
	}
	if _, err := time.LoadLocation(region.TimeZone); err != nil || region.TimeZone == "" {
		errs = append(errs, fmt.Errorf("region time zone %q does not load", region.TimeZone))
	}
	if u, err := url.Parse(c.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		errs = append(errs, errors.New("endpoint must be an absolute http(s) URL without credentials"))
	}
	if c.CallTimeout <= 0 || c.MaxBody <= 0 || c.ReadAttempts < 1 || c.RetryWaitMin <= 0 || c.RetryWaitMax < c.RetryWaitMin {
		errs = append(errs, errors.New("call_timeout, max_body, read_attempts and retry waits must be positive (wait max >= min)"))
	}
	if err := c.TLS.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Open loads the TLS files and returns the Client that sends the calls.
func (c EndpointConfig) Open() (*Client, error) {
	tlsCfg, err := c.TLS.Load()
	if err != nil {
		return nil, err
	}
	return New(Config{BearerToken: c.BearerToken, CallTimeout: c.CallTimeout, MaxBody: c.MaxBody,
		ReadAttempts: c.ReadAttempts, RetryWaitMin: c.RetryWaitMin, RetryWaitMax: c.RetryWaitMax, TLS: tlsCfg})
}
