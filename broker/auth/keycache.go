package auth

import (
	"context"
	"crypto"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// fetchTimeout bounds one key fetch. Fetches run detached from the request
// that triggered them, so that a citizen closing the page cannot leave the
// cache half-refreshed.
const fetchTimeout = 10 * time.Second

var errUnknownKey = errors.New("token signed by an unknown key")

// keyCache holds the issuer's keys, refreshes them after ttl, and refetches
// early when a token names a key it does not know — at most once per
// refetchEvery, so forged key ids cannot flood the identity provider.
type keyCache struct {
	url          string
	client       *http.Client
	ttl          time.Duration
	refetchEvery time.Duration
	now          func() time.Time
	logger       *slog.Logger
	metrics      *metrics

	fetchMu sync.Mutex // serialises fetches; held across the HTTP call
	mu      sync.Mutex // guards state
	state   cacheState
}

type cacheState struct {
	keys        keySet
	fetchedAt   time.Time // last successful fetch
	attemptedAt time.Time // last fetch, successful or not
}

// lookup returns the key for kid and alg, refreshing the set when it is
// stale or does not know kid.
func (c *keyCache) lookup(ctx context.Context, kid, alg string) (crypto.PublicKey, error) {
	st := c.snapshot()
	if c.isStale(st) {
		st = c.fetchIf(ctx, c.isStale)
	}
	if key, ok := st.keys.find(kid, alg); ok {
		return key, nil
	}
	if kid == "" {
		return nil, errUnknownKey
	}
	st = c.fetchIf(ctx, c.mayRefetch)
	if key, ok := st.keys.find(kid, alg); ok {
		return key, nil
	}
	return nil, errUnknownKey
}

func (c *keyCache) snapshot() cacheState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// isStale: keys are past their TTL and no fetch was tried recently (a failing
// issuer is retried at the refetch pace, while the old keys stay in use).
func (c *keyCache) isStale(st cacheState) bool {
	return c.now().Sub(st.fetchedAt) >= c.ttl && c.mayRefetch(st)
}

func (c *keyCache) mayRefetch(st cacheState) bool {
	return c.now().Sub(st.attemptedAt) >= c.refetchEvery
}

// fetchIf fetches when due(state) still holds once this goroutine has the
// fetch lock, so concurrent requests that all saw a stale set fetch once.
func (c *keyCache) fetchIf(ctx context.Context, due func(cacheState) bool) cacheState {
	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	if st := c.snapshot(); !due(st) {
		return st
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
	defer cancel()
	if err := c.fetch(ctx); err != nil {
		c.logger.WarnContext(ctx, "auth: refreshing signing keys failed; keeping the previous ones", "error", err)
	}
	return c.snapshot()
}

// fetch downloads and installs the key set; on failure it records only the
// attempt, keeping the previous keys.
func (c *keyCache) fetch(ctx context.Context) error {
	keys, err := c.download(ctx)
	c.metrics.fetched(ctx, err)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state.attemptedAt = c.now()
	if err != nil {
		return err
	}
	c.state.keys = keys
	c.state.fetchedAt = c.state.attemptedAt
	return nil
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
