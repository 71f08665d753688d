package auth

import (
	"crypto/sha256"
	"sync"
	"time"
)

// A citizen's portal session sends the same token with every request; a
// signature check (ECDSA/RSA) per request was most of the API's CPU after
// the database. Verified tokens are remembered by their SHA-256 for a short
// while, never past their own expiry.
const (
	verifiedTokensMax = 100_000
	verifiedTokensTTL = time.Minute
)

type verifiedTokens struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	now     func() time.Time
	entries map[[sha256.Size]byte]verifiedToken
}

type verifiedToken struct {
	principal Principal
	until     time.Time
}

func newVerifiedTokens(max int, ttl time.Duration, now func() time.Time) *verifiedTokens {
	if now == nil {
		now = time.Now
	}
	return &verifiedTokens{max: max, ttl: ttl, now: now, entries: map[[sha256.Size]byte]verifiedToken{}}
}

func (v *verifiedTokens) get(raw string) (Principal, bool) {
	key := sha256.Sum256([]byte(raw))
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.entries[key]
	if !ok {
		return Principal{}, false
	}
	if !v.now().Before(e.until) {
		delete(v.entries, key)
		return Principal{}, false
	}
	return e.principal, true
}

func (v *verifiedTokens) put(raw string, p Principal, exp time.Time) {
	until := v.now().Add(v.ttl)
	if !exp.IsZero() && exp.Before(until) {
		until = exp
	}
	key := sha256.Sum256([]byte(raw))
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.entries) >= v.max {
		clear(v.entries) // crude but bounded: a full cache starts over
	}
	v.entries[key] = verifiedToken{principal: p, until: until}
}
