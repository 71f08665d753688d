package feed

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/fedhealth/federation/contracts"
)

// Config configures one Source, that is, one region's slot publisher.
// Publisher URLs come only from configuration, never from a request.
type Config struct {
	// Region is the region the publisher serves. Its TimeZone places every
	// slot: a slot whose offset is not the zone's at that instant is refused.
	Region contracts.Region `yaml:"-"`
	// BaseURL is the absolute http or https URL the manifest hangs below
	// (BaseURL + "/$bulk-publish"). Its scheme, host and port are the
	// feed's origin: a manifest listing a file anywhere else is refused.
	BaseURL string `yaml:"base_url"`
	// PollInterval is the time between polls (default 2m; the
	// specification suggests 1 to 5 minutes).
	PollInterval time.Duration `yaml:"poll_interval"`
	// StaleAfter is how old the last successful sync may be while the
	// region's availability is "known" (default 3 × PollInterval).
	StaleAfter time.Duration `yaml:"stale_after"`
	// Timeout bounds one whole sync, manifest and files (default the
	// smaller of 1m and PollInterval): an endless or dribbling body is cut
	// by it.
	Timeout time.Duration `yaml:"timeout"`
	// MaxManifestBytes bounds the manifest (default 1 MiB).
	MaxManifestBytes int64 `yaml:"max_manifest_bytes"`
	// MaxFileBytes bounds each NDJSON file (default 64 MiB).
	MaxFileBytes int64 `yaml:"max_file_bytes"`
	// MaxLineBytes bounds one NDJSON line; a longer line is skipped and
	// counted like a broken one (default 64 KiB).
	MaxLineBytes int `yaml:"max_line_bytes"`
	// MaxFiles bounds the files one manifest may list (default 256).
	MaxFiles int `yaml:"max_files"`

	// Transport carries the requests; default http.DefaultTransport.
	Transport http.RoundTripper `yaml:"-"`
	// MeterProvider defaults to the otel global.
	MeterProvider metric.MeterProvider `yaml:"-"`
	// Now is the clock; default time.Now. Tests inject one to age a sync.
	Now func() time.Time `yaml:"-"`
}

func (c *Config) setDefaults() {
	setDuration(&c.PollInterval, 2*time.Minute)
	setDuration(&c.StaleAfter, 3*c.PollInterval)
	setDuration(&c.Timeout, min(time.Minute, c.PollInterval))
	setInt64(&c.MaxManifestBytes, 1<<20)
	setInt64(&c.MaxFileBytes, 64<<20)
	if c.MaxLineBytes == 0 {
		c.MaxLineBytes = 64 << 10
	}
	if c.MaxFiles == 0 {
		c.MaxFiles = 256
	}
	if c.Transport == nil {
		c.Transport = http.DefaultTransport
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

func setDuration(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

func setInt64(v *int64, def int64) {
	if *v == 0 {
		*v = def
	}
}

// Validate reports everything wrong with c, wrapping contracts.ErrInvalid.
func (c Config) Validate() error {
	var errs []error
	if !contracts.ValidRegionCode(c.Region.Code) {
		errs = append(errs, fmt.Errorf("region code %q malformed", c.Region.Code))
	}
	if _, err := time.LoadLocation(c.Region.TimeZone); err != nil || c.Region.TimeZone == "" {
		errs = append(errs, fmt.Errorf("region time zone %q does not load", c.Region.TimeZone))
	}
	if _, err := parseBaseURL(c.BaseURL); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, positive("poll_interval", c.PollInterval), positive("stale_after", c.StaleAfter),
		positive("timeout", c.Timeout))
	if c.StaleAfter < c.PollInterval {
		errs = append(errs, errors.New("stale_after below poll_interval: every source would turn unknown between polls"))
	}
	if c.MaxManifestBytes <= 0 || c.MaxFileBytes <= 0 || c.MaxLineBytes <= 0 || c.MaxFiles <= 0 {
		errs = append(errs, errors.New("max sizes must be positive"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("feed source config: %w: %w", err, contracts.ErrInvalid)
	}
	return nil
}

func positive(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s %v not positive", name, d)
	}
	return nil
}

// parseBaseURL accepts only absolute http(s) URLs without credentials,
// query or fragment: the manifest URL is built from it by appending.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, errors.New("base_url does not parse")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("base_url scheme %q is not http or https", u.Scheme)
	case u.Host == "":
		return nil, errors.New("base_url has no host")
	case u.User != nil:
		return nil, errors.New("base_url must not carry credentials")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, errors.New("base_url must not carry a query or fragment")
	}
	return u, nil
}
