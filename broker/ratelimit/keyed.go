package ratelimit

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Keyed is one token bucket per key. It is safe for concurrent use.
//
// x/time/rate gives one bucket; the keyed map around it is ours, because
// its eviction rule is what keeps it both bounded and fair, which a
// generic LRU or TTL cache does not know: a bucket is dropped only once it
// has refilled to its burst, when a new bucket for the same key would be
// exactly the same, so forgetting a key never hands its caller extra
// tokens. The map therefore holds only the keys seen within the last
// burst/rate seconds (15 s for citizens' reads), swept at most once per
// that interval on the request path, and never more than MaxKeys of them:
// new keys beyond that share one overflow bucket, so a flood of fresh keys
// (addresses, say) is limited as one caller rather than growing memory.
type Keyed struct {
	limit   rate.Limit
	burst   int
	maxKeys int
	refill  time.Duration // how long an empty bucket takes to fill
	now     func() time.Time

	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
	overflow  *rate.Limiter
	nextSweep time.Time
	// nextFullSweep bounds the sweeps a full map triggers.
	nextFullSweep time.Time
}

// fullSweepEvery is the least time between two sweeps of a full map.
const fullSweepEvery = 100 * time.Millisecond

// NewKeyed returns buckets of r, at most maxKeys of them; now is the clock.
func NewKeyed(r Rate, maxKeys int, now func() time.Time) *Keyed {
	refill := time.Duration(float64(r.Burst) / r.PerSecond * float64(time.Second))
	return &Keyed{
		limit: rate.Limit(r.PerSecond), burst: r.Burst, maxKeys: maxKeys, refill: max(refill, time.Second), now: now,
		buckets: map[string]*rate.Limiter{}, overflow: rate.NewLimiter(rate.Limit(r.PerSecond), r.Burst),
	}
}

// Allow takes a token from key's bucket. When the bucket is empty it takes
// nothing and reports how long until a token will be there: the delay of
// the reservation it then cancels.
func (k *Keyed) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := k.now()
	res := k.bucket(key, now).ReserveN(now, 1)
	if !res.OK() {
		return false, k.refill // cannot happen with a burst of at least 1
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Len is the number of keys with a bucket of their own.
func (k *Keyed) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.buckets)
}

func (k *Keyed) bucket(key string, now time.Time) *rate.Limiter {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !now.Before(k.nextSweep) {
		k.sweep(now)
	}
	b, ok := k.buckets[key]
	if !ok && len(k.buckets) >= k.maxKeys && !now.Before(k.nextFullSweep) {
		// Full: most keys of a flood of fresh ones took one token and are
		// full again already. Sweep now (at most every fullSweepEvery)
		// rather than send every newcomer to the shared overflow bucket
		// until the next periodic sweep.
		k.sweep(now)
		k.nextFullSweep = now.Add(fullSweepEvery)
	}
	switch {
	case ok:
	case len(k.buckets) >= k.maxKeys:
		b = k.overflow
	default:
		b = rate.NewLimiter(k.limit, k.burst)
		k.buckets[key] = b
	}
	return b
}

// sweep drops every bucket that has refilled to its burst. It walks the
// whole map under the lock, once per refill interval: with the map at
// MaxKeys that is a few milliseconds every several seconds.
func (k *Keyed) sweep(now time.Time) {
	full := float64(k.burst) - 1e-9 // TokensAt is a float; refilled is within rounding of burst
	for key, b := range k.buckets {
		if b.TokensAt(now) >= full {
			delete(k.buckets, key)
		}
	}
	k.nextSweep = now.Add(k.refill)
}

// RetryAfterSeconds is d as a Retry-After value: whole seconds, rounded up,
// at least 1 (a 0 would invite an immediate retry that fails again).
func RetryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
