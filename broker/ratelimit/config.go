package ratelimit

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Config shapes every limit. The zero value is the defaults, which let one
// citizen burst a few hundred requests and many citizens share one address
// (a mobile carrier's or an office's NAT).
type Config struct {
	// Citizen limits each signed-in citizen (defaults: reads 20/s with a
	// burst of 300, writes 5/s with a burst of 50).
	Citizen Budget `yaml:"citizen"`
	// Address limits each client address, signed in or not (defaults:
	// reads 100/s burst 1000, writes 50/s burst 500). IPv6 addresses count
	// by their /64, the block one subscriber gets.
	Address Budget `yaml:"address"`
	// TrustedProxies are the CIDRs (10.0.0.0/8, 2001:db8::/32) or single
	// addresses of the
	// reverse proxies in front of the broker. Only a request from one of
	// them has its X-Forwarded-For read: the client is the rightmost
	// address not itself a trusted proxy. Empty: the peer's address.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// LongPollsPerCitizen caps one citizen's concurrent waiting reads
	// (GET /api/v1/bookings/{id}?wait=…); beyond it a read answers at once
	// without waiting. Default 4.
	LongPollsPerCitizen int `yaml:"long_polls_per_citizen"`
	// MaxKeys bounds each limiter's map (default 100000, about 20 MB at
	// worst); new keys beyond it share one overflow bucket.
	MaxKeys int `yaml:"max_keys"`
	// Now is the clock; nil means time.Now.
	Now func() time.Time `yaml:"-"`
}

// Budget is one kind of caller's limits: writes (POST, PUT, PATCH,
// DELETE) have a stricter one than reads.
type Budget struct {
	Reads  Rate `yaml:"reads"`
	Writes Rate `yaml:"writes"`
}

// Rate is a token bucket: PerSecond tokens refill it, up to Burst; each
// request takes one.
type Rate struct {
	PerSecond float64 `yaml:"per_second"`
	Burst     int     `yaml:"burst"`
}

func (c *Config) setDefaults() {
	c.Citizen.Reads.setDefaults(20, 300)
	c.Citizen.Writes.setDefaults(5, 50)
	c.Address.Reads.setDefaults(100, 1000)
	c.Address.Writes.setDefaults(50, 500)
	if c.LongPollsPerCitizen == 0 {
		c.LongPollsPerCitizen = 4
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = 100_000
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

func (r *Rate) setDefaults(perSecond float64, burst int) {
	if r.PerSecond == 0 {
		r.PerSecond = perSecond
	}
	if r.Burst == 0 {
		r.Burst = burst
	}
}

// Validate reports what is wrong with c (after the defaults are filled in).
func (c Config) Validate() error {
	errs := []error{
		c.Citizen.Reads.validate("citizen reads"), c.Citizen.Writes.validate("citizen writes"),
		c.Address.Reads.validate("address reads"), c.Address.Writes.validate("address writes"),
	}
	if _, err := parsePrefixes(c.TrustedProxies); err != nil {
		errs = append(errs, err)
	}
	if c.LongPollsPerCitizen < 1 {
		errs = append(errs, fmt.Errorf("long_polls_per_citizen %d below 1", c.LongPollsPerCitizen))
	}
	if c.MaxKeys < 1 {
		errs = append(errs, fmt.Errorf("max_keys %d below 1", c.MaxKeys))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("limits: %w", err)
	}
	return nil
}

func (r Rate) validate(name string) error {
	if r.PerSecond <= 0 || r.Burst < 1 {
		return fmt.Errorf("%s: per_second must be positive and burst at least 1 (got %v, %d)", name, r.PerSecond, r.Burst)
	}
	return nil
}

func parsePrefixes(cidrs []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(cidrs))
	for _, s := range cidrs {
		p, err := netip.ParsePrefix(s)
		if a, aerr := netip.ParseAddr(s); err != nil && aerr == nil {
			p, err = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil // one proxy's address
		}
		if err != nil {
			return nil, fmt.Errorf("trusted_proxies: %q is not a CIDR such as 10.0.0.0/8", s)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
