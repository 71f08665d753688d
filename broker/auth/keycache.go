package auth

import (
	"context"
	"crypto"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// The issuer's keys are read on the request path and fetched only off it.
// Before, a verification that found the keys past their TTL fetched them
// itself, so a hanging identity provider stalled one request in every TTL
// for the whole HTTP timeout. Now a background refresher keeps the keys
// fresh, verifications only read the cached set, and the one case where a
// request may wait — a token naming a key id the set does not have, as
// right after a rotation — waits for a fetch at most UnknownKeyWait.

// fetchTimeout bounds one key fetch. Fetches run detached from the request
// that may have triggered them, so that a citizen closing the page cannot
// leave the cache half-refreshed, and a request never waits this long.
const fetchTimeout = 10 * time.Second

// refreshBackoffMin and refreshBackoffMax bound the wait between retries
// after a failed background fetch (doubling, with jitter, and never more
// than the TTL): quick recovery from a blip, little load on an issuer that
// is down.
const (
	refreshBackoffMin = time.Second
	refreshBackoffMax = 5 * time.Minute
)

var (
	errUnknownKey = errors.New("token signed by an unknown key")
	errKeysTooOld = errors.New("signing keys older than the maximum age")
)

// keyCache holds the issuer's keys and refreshes them in the background
// (see the comment at the top of this file). It is safe for concurrent use.
type keyCache struct {
	url            string
	client         *http.Client
	ttl            time.Duration // keys are refreshed when 3/4 of it has passed
	maxAge         time.Duration // keys older than this are not trusted at all
	refetchEvery   time.Duration // least time between fetches for unknown key ids
	unknownKeyWait time.Duration
	now            func() time.Time
	logger         *slog.Logger
	metrics        *metrics

	state atomic.Pointer[cacheState] // read lock-free on every verification

	mu       sync.Mutex    // guards inflight and writes of state
	inflight chan struct{} // closed when the running fetch ends; nil when none runs

	kick   chan struct{} // buffered 1: a lookup asks the refresher to look again
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// cacheState is an immutable snapshot; a fetch replaces it whole.
type cacheState struct {
	keys        keySet
	fetchedAt   time.Time // last successful fetch
	attemptedAt time.Time // last fetch, successful or not
	failures    int       // failed fetches since the last success
}

func newKeyCache(url string, cfg VerifierConfig, logger *slog.Logger, m *metrics) *keyCache {
	ctx, cancel := context.WithCancel(context.Background())
	c := &keyCache{
		url: url, client: cfg.HTTPClient, ttl: cfg.CacheTTL, maxAge: cfg.MaxKeyAge,
		refetchEvery: cfg.RefetchInterval, unknownKeyWait: cfg.UnknownKeyWait,
		now: cfg.Now, logger: logger, metrics: m,
		kick: make(chan struct{}, 1), ctx: ctx, cancel: cancel,
	}
	c.state.Store(&cacheState{})
	return c
}

// start loads the keys once, synchronously, so a wrong setup fails at start,
// and then starts the background refresher.
func (c *keyCache) start(ctx context.Context) error {
	if err := c.fetch(ctx); err != nil {
		return err
	}
	c.wg.Go(c.refreshLoop)
	return nil
}

// close stops the refresher and any fetch in flight, and waits for them.
func (c *keyCache) close() {
	c.cancel()
	c.wg.Wait()
}

// tooOld reports whether the keys have outlived the maximum age, after
// which no token is accepted: trusting keys an issuer may long have revoked
// is worse than refusing service until it answers again.
func (c *keyCache) tooOld() bool {
	return c.now().Sub(c.state.Load().fetchedAt) > c.maxAge
}

// lookup returns the key for kid and alg from the cached set. It never
// fetches on the caller's time, except that a kid the set does not know
// waits (at most unknownKeyWait, and never beyond ctx) for a fetch already
// running or, at most once per refetchEvery, for a new one.
func (c *keyCache) lookup(ctx context.Context, kid, alg string) (crypto.PublicKey, error) {
	st := c.state.Load()
	age := c.now().Sub(st.fetchedAt)
	if age > c.maxAge {
		return nil, errKeysTooOld
	}
	if age >= c.ttl && st.failures == 0 {
		// The refresher should have refreshed by now; it sleeps on a timer,
		// which a jump of the clock (or a test's clock) does not move.
		c.poke()
	}
	if key, ok := st.keys.find(kid, alg); ok {
		return key, nil
	}
	if kid == "" {
		return nil, errUnknownKey
	}
	if done := c.fetchForUnknownKey(); done != nil {
		wait(ctx, done, c.unknownKeyWait)
		if key, ok := c.state.Load().keys.find(kid, alg); ok {
			return key, nil
		}
	}
	return nil, errUnknownKey
}

// wait returns when done is closed, d has passed or ctx ends.
func wait(ctx context.Context, done <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	case <-ctx.Done():
	}
}

func (c *keyCache) poke() {
	select {
	case c.kick <- struct{}{}:
	default: // already poked
	}
}

// fetchForUnknownKey returns the end of the fetch in flight, or of a new one
// when the last fetch is at least refetchEvery old, so forged key ids cannot
// make us hammer the identity provider; nil when neither applies.
func (c *keyCache) fetchForUnknownKey() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight != nil {
		return c.inflight
	}
	if c.now().Sub(c.state.Load().attemptedAt) < c.refetchEvery {
		return nil
	}
	return c.startFetchLocked()
}

// startFetchLocked starts a fetch in the background and returns its end.
// c.mu must be held.
func (c *keyCache) startFetchLocked() chan struct{} {
	if c.inflight != nil {
		return c.inflight
	}
	done := make(chan struct{})
	if c.ctx.Err() != nil { // closed: nothing runs any more
		close(done)
		return done
	}
	c.inflight = done
	c.wg.Go(func() {
		ctx, cancel := context.WithTimeout(c.ctx, fetchTimeout)
		defer cancel()
		if err := c.fetch(ctx); err != nil {
			c.logger.WarnContext(ctx, "auth: refreshing signing keys failed; keeping the previous ones", "error", err)
		}
		c.mu.Lock()
		c.inflight = nil
		c.mu.Unlock()
		close(done)
	})
	return done
}

// refreshLoop fetches the keys when they are 3/4 through their TTL, and
// after a failure again with backoff, until the cache is closed.
func (c *keyCache) refreshLoop() {
	timer := time.NewTimer(c.untilNextRefresh())
	defer timer.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-timer.C:
		case <-c.kick:
		}
		if c.untilNextRefresh() <= 0 {
			c.mu.Lock()
			done := c.startFetchLocked()
			c.mu.Unlock()
			select {
			case <-done:
			case <-c.ctx.Done():
				return
			}
		}
		timer.Reset(c.untilNextRefresh())
	}
}

func (c *keyCache) untilNextRefresh() time.Duration {
	st := c.state.Load()
	if st.failures > 0 {
		return st.attemptedAt.Add(c.backoff(st.failures)).Sub(c.now())
	}
	return st.fetchedAt.Add(c.ttl * 3 / 4).Sub(c.now())
}

// backoff is the wait after the n-th failure in a row: doubling from
// refreshBackoffMin, capped, with "equal jitter" so that several instances
// do not retry in step. Hand-written: a few lines, where a library's ticker
// would also own the timer that pokes reset.
func (c *keyCache) backoff(n int) time.Duration {
	ceiling := min(refreshBackoffMax, c.ttl)
	d := min(refreshBackoffMin<<min(n-1, 16), ceiling)
	return d/2 + rand.N(d/2+1)
}

// fetch downloads and installs the key set; on failure it records only the
// attempt, keeping the previous keys.
func (c *keyCache) fetch(ctx context.Context) error {
	keys, err := c.download(ctx)
	c.metrics.fetched(ctx, err)
	c.mu.Lock()
	defer c.mu.Unlock()
	next := *c.state.Load()
	next.attemptedAt = c.now()
	if err != nil {
		next.failures++
	} else {
		next.keys, next.fetchedAt, next.failures = keys, next.attemptedAt, 0
	}
	c.state.Store(&next)
	return err
}

func (c *keyCache) download(ctx context.Context) (keySet, error) {
	body, err := fetchDocument(ctx, c.client, c.url)
	if err != nil {
		return nil, err
	}
	keys, skipped, err := parseJWKS(body)
	if err != nil {
		return nil, err
	}
	c.logger.DebugContext(ctx, "auth: signing keys loaded", "keys", len(keys), "skipped", skipped)
	return keys, nil
}
