package ratelimit

import (
	"net/http"
	"net/netip"
	"time"
)

// Limiter holds every limit of one broker instance. Create with New; it is
// safe for concurrent use.
type Limiter struct {
	citizen, address buckets
	waits            *Concurrency
	proxies          []netip.Prefix
}

// buckets are one kind of caller's two budgets.
type buckets struct{ reads, writes *Keyed }

func newBuckets(b Budget, maxKeys int, now func() time.Time) buckets {
	return buckets{reads: NewKeyed(b.Reads, maxKeys, now), writes: NewKeyed(b.Writes, maxKeys, now)}
}

func (b buckets) allow(key string, write bool) (bool, time.Duration) {
	if write {
		return b.writes.Allow(key)
	}
	return b.reads.Allow(key)
}

// New fills in cfg's defaults, checks it and returns its limiter.
func New(cfg Config) (*Limiter, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	proxies, _ := parsePrefixes(cfg.TrustedProxies) // validated
	return &Limiter{
		citizen: newBuckets(cfg.Citizen, cfg.MaxKeys, cfg.Now),
		address: newBuckets(cfg.Address, cfg.MaxKeys, cfg.Now),
		waits:   NewConcurrency(cfg.LongPollsPerCitizen),
		proxies: proxies,
	}, nil
}

// AllowAddress takes a token for r from its client address's budget (the
// writes budget for a state-changing method). When none is left, ok is
// false and retryAfter says how long until there will be.
func (l *Limiter) AllowAddress(r *http.Request) (ok bool, retryAfter time.Duration) {
	return l.address.allow(addressKey(l.ClientAddress(r)), IsWrite(r.Method))
}

// AllowCitizen takes a token for a request of the citizen named by key;
// write selects the stricter budget.
func (l *Limiter) AllowCitizen(key string, write bool) (ok bool, retryAfter time.Duration) {
	return l.citizen.allow(key, write)
}

// BeginWait claims one of the citizen's long-poll places; see
// Concurrency.Begin.
func (l *Limiter) BeginWait(key string) (end func(), ok bool) { return l.waits.Begin(key) }

// ClientAddress is the address r came from, reading X-Forwarded-For only
// when the peer is a trusted proxy (see Config.TrustedProxies). It is the
// zero Addr when even the peer's address does not parse.
func (l *Limiter) ClientAddress(r *http.Request) netip.Addr { return clientAddress(r, l.proxies) }

// IsWrite reports whether method may change state: everything but the
// safe methods of RFC 9110 (GET, HEAD, OPTIONS, TRACE).
func IsWrite(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}
