package loadgen

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"
)

// Bounds that keep one run finite whatever the flags say.
const (
	maxBookings    = 1_000_000
	maxConcurrency = 8192
	maxDuration    = time.Hour
)

// Config is one load run. The zero value of every field but Target (or
// MIS in direct mode) and Bookings gets a default from setDefaults.
type Config struct {
	// Target is the federal API's base URL, e.g. http://127.0.0.1:8080.
	Target string
	// TokenURL signs the citizens' tokens: POST {"citizen_id": …} answers
	// {"token": …}, and, for a run with feed regions, the operator bot's:
	// POST {"operator_id": …, "region": …}. Default the demo's
	// {Target}/api/v1/dev/token; against serve, a "federation test-idp"'s
	// /token.
	TokenURL string
	// Bookings is how many bookings (or hold+book pairs) to make.
	Bookings int
	// Concurrency is the number of workers in closed loop; with Rate it
	// caps the bookings in flight. Default 8.
	Concurrency int
	// Rate, when positive, starts bookings at this many per second (open
	// loop); latency is then measured from the scheduled start.
	Rate float64
	// Regions to spread bookings over, round robin; default every region
	// the target lists (saga mode) or every MIS given (direct mode).
	Regions []string
	// Direct sends hold+book pairs to MIS instead of using Target.
	Direct bool
	// MIS maps region codes to MIS base URLs: direct mode and Faults.
	MIS map[string]string
	// Faults are injected (PUT {mis}/admin/faults) after the slots are
	// gathered and before the load starts; the previous faults are
	// restored when the run ends.
	Faults map[string]string
	// Wait is the long-poll of GET /bookings/{id}?wait=; default 10s.
	Wait time.Duration
	// Timeout bounds one booking, from its start to its final state;
	// default 60s. A booking not final by then counts as "timeout".
	Timeout time.Duration
	// MaxDuration bounds the whole run; default 10m.
	MaxDuration time.Duration
	// Citizens bounds the pool of citizens the bookings are made as;
	// default 2000. A run uses as many as its slots need: each citizen's
	// bookings are slots that do not overlap, at most perCitizen of them
	// (see assignCitizens), as in a real population and as the broker's
	// citizen guards allow.
	Citizens int
	// AllowRemote permits non-loopback targets.
	AllowRemote bool
	// Progress is the interval of progress lines; default 1s on a
	// terminal, 5s otherwise.
	Progress time.Duration
	// Window, when positive, adds the figures of each such interval of the
	// run to the report (Report.Windows): a soak's p99 over time.
	Window time.Duration

	// kinds maps each region to its kind for the report: in saga mode as
	// the target lists them, in direct mode fhir (the only contract it
	// speaks).
	kinds map[string]string
}

func (c *Config) setDefaults() {
	if c.Concurrency == 0 {
		c.Concurrency = 8
	}
	if c.Wait == 0 {
		c.Wait = 10 * time.Second
	}
	if c.Timeout == 0 {
		c.Timeout = 60 * time.Second
	}
	if c.MaxDuration == 0 {
		c.MaxDuration = 10 * time.Minute
	}
	if c.Citizens == 0 {
		c.Citizens = 2000
	}
	if c.Direct && len(c.Regions) == 0 {
		for code := range c.MIS {
			c.Regions = append(c.Regions, code)
		}
		slices.Sort(c.Regions)
	}
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	switch {
	case c.Bookings < 1 || c.Bookings > maxBookings:
		return fmt.Errorf("--bookings must be within 1..%d", maxBookings)
	case c.Concurrency < 1 || c.Concurrency > maxConcurrency:
		return fmt.Errorf("--concurrency must be within 1..%d", maxConcurrency)
	case c.Rate < 0:
		return errors.New("--rate must not be negative")
	case c.Wait < time.Second || c.Wait > 30*time.Second:
		return errors.New("--wait must be within 1s..30s")
	case c.Timeout < time.Second || c.MaxDuration < time.Second || c.MaxDuration > maxDuration:
		return fmt.Errorf("--timeout must be at least 1s and --max-duration within 1s..%s", maxDuration)
	case c.Citizens < 1:
		return errors.New("--citizens must be positive")
	}
	if err := c.validateTargets(); err != nil {
		return err
	}
	return c.validateRegions()
}

func (c *Config) validateTargets() error {
	if !c.Direct {
		if err := c.checkURL("--target", c.Target); err != nil {
			return err
		}
	}
	for code, u := range c.MIS {
		if err := c.checkURL("--mis "+code, u); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) validateRegions() error {
	if c.Direct && len(c.MIS) == 0 {
		return errors.New("--direct needs --mis REGION=URL,...")
	}
	for _, r := range c.Regions {
		if c.Direct && c.MIS[r] == "" {
			return fmt.Errorf("region %s has no --mis URL", r)
		}
	}
	for r := range c.Faults {
		if c.MIS[r] == "" {
			return fmt.Errorf("--fault for region %s needs its --mis URL", r)
		}
	}
	return nil
}

// checkURL accepts an absolute http(s) URL whose host is loopback, or any
// host with AllowRemote: a load generator must not be aimed at a service
// by accident.
func (c *Config) checkURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q is not an http(s) URL", name, raw)
	}
	if c.AllowRemote || isLoopback(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("%s %q is not a loopback address (use --allow-remote for another host)", name, raw)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
