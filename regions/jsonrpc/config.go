package jsonrpc

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

// Config configures one Client, the JSON-RPC endpoint of one region's MIS.
// Endpoints come only from configuration, never from a request.
type Config struct {
	// Region is the region this MIS serves; its TimeZone renders query
	// dates and checks the offsets of slot times.
	Region contracts.Region `yaml:"-"`
	// Endpoint is the absolute http(s) URL every call is POSTed to.
	Endpoint string `yaml:"endpoint"`
	// BearerToken is sent as "Authorization: Bearer ..." when set. Secret:
	// never in logs or errors.
	BearerToken string `yaml:"bearer_token"`
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
	// PatientMemory is how long this process remembers the patient of a
	// hold, so that a read by appointment id or by hold key can ask the
	// MIS (whose only read-back is by patient); default 2h. Memory only,
	// never written anywhere.
	PatientMemory time.Duration `yaml:"patient_memory"`
	// PatientMemorySize bounds how many holds' patients are remembered
	// (default 100000; the oldest are forgotten first).
	PatientMemorySize int `yaml:"patient_memory_size"`
	// RefSecret keys the one-way patient reference kept in the ledger
	// (optional; without it the reference is keyed by the step key alone,
	// which is stored beside it). Secret: never in logs or errors.
	RefSecret string `yaml:"ref_secret"`
}

func (c *Config) setDefaults() {
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
	if c.PatientMemory == 0 {
		c.PatientMemory = 2 * time.Hour
	}
	if c.PatientMemorySize == 0 {
		c.PatientMemorySize = 100_000
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
	if u, err := url.Parse(c.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		errs = append(errs, errors.New("endpoint must be an absolute http(s) URL without credentials"))
	}
	if c.CallTimeout <= 0 || c.MaxBody <= 0 || c.ReadAttempts < 1 || c.RetryWaitMin <= 0 || c.RetryWaitMax < c.RetryWaitMin {
		errs = append(errs, errors.New("call_timeout, max_body, read_attempts and retry waits must be positive (wait max >= min)"))
	}
	if c.PatientMemory <= 0 || c.PatientMemorySize < 1 {
		errs = append(errs, errors.New("patient_memory and patient_memory_size must be positive"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("jsonrpc client config: %w: %w", err, contracts.ErrInvalid)
	}
	return nil
}
