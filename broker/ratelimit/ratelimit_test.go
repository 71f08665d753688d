package ratelimit_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/jonboulle/clockwork"
)

// clock is a settable time source.
func newClock() *clockwork.FakeClock {
	return clockwork.NewFakeClockAt(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
}

func drain(k *ratelimit.Keyed, key string) {
	for ok, _ := k.Allow(key); ok; ok, _ = k.Allow(key) {
	}
}

func TestABucketRefusesOnceItsBurstIsSpentAndSaysWhenToComeBack(t *testing.T) {
	c := newClock()
	k := ratelimit.NewKeyed(ratelimit.Rate{PerSecond: 2, Burst: 3}, 10, c.Now)
	for i := range 3 {
		if ok, _ := k.Allow("olga"); !ok {
			t.Fatalf("request %d of a burst of 3 refused", i+1)
		}
	}
	ok, after := k.Allow("olga")
	if ok || after != 500*time.Millisecond {
		t.Fatalf("4th request: ok %v, retry after %v; want refused, 500ms (one token at 2/s)", ok, after)
	}
	if ok, _ := k.Allow("pavel"); !ok {
		t.Error("another key was refused: buckets are per key")
	}
	// A refusal takes nothing: after the delay it named, one request passes.
	c.Advance(after)
	if ok, _ := k.Allow("olga"); !ok {
		t.Error("refused after waiting the Retry-After it was given")
	}
	if ok, _ := k.Allow("olga"); ok {
		t.Error("a second request passed on one refilled token")
	}
}

func TestAnIdleKeyIsForgottenOnlyOnceItsBucketIsFullAgain(t *testing.T) {
	c := newClock()
	k := ratelimit.NewKeyed(ratelimit.Rate{PerSecond: 1, Burst: 10}, 100, c.Now) // refills in 10 s
	_, _ = k.Allow("pavel")                                                      // sweeps now, next in 10 s
	c.Advance(5 * time.Second)
	drain(k, "olga")
	c.Advance(5*time.Second + time.Millisecond)
	_, _ = k.Allow("pavel") // the sweep, with olga's bucket half refilled
	passed := 0
	for ok, _ := k.Allow("olga"); ok; ok, _ = k.Allow("olga") {
		passed++
	}
	if passed != 5 {
		t.Fatalf("olga passed %d times 5 s after draining her bucket, want 5: a half-full bucket must be kept, not replaced by a full one", passed)
	}
	c.Advance(20 * time.Second)
	_, _ = k.Allow("pavel") // the sweep, with every bucket full again
	if n := k.Len(); n != 1 {
		t.Errorf("%d buckets once olga's refilled, want 1 (pavel's, made anew)", n)
	}
}

func TestBucketsOfKeysThatStopComingAreDropped(t *testing.T) {
	c := newClock()
	k := ratelimit.NewKeyed(ratelimit.Rate{PerSecond: 20, Burst: 300}, 1_000_000, c.Now) // refills in 15 s
	for i := range 100_000 {                                                             // 1,000 new callers a second
		_, _ = k.Allow(fmt.Sprint("citizen-", i))
		if i%100 == 0 {
			c.Advance(100 * time.Millisecond)
		}
	}
	// Only the callers of the last sweep interval and a half remain.
	if n := k.Len(); n > 31_000 {
		t.Errorf("%d buckets for 100,000 one-off callers over 100 s, want at most the last ~30 s worth", n)
	}
}

func TestNewKeysBeyondMaxKeysShareOneOverflowBucket(t *testing.T) {
	c := newClock()
	k := ratelimit.NewKeyed(ratelimit.Rate{PerSecond: 1, Burst: 2}, 3, c.Now)
	for _, key := range []string{"a", "b", "c"} {
		_, _ = k.Allow(key)
	}
	passed := 0
	for i := range 10 {
		if ok, _ := k.Allow(fmt.Sprint("flood-", i)); ok {
			passed++
		}
	}
	if n := k.Len(); n != 3 || passed != 2 {
		t.Errorf("%d buckets, %d of 10 new keys passed; want 3 buckets and the overflow's burst of 2", n, passed)
	}
}

func TestLongPollsAreCappedPerKey(t *testing.T) {
	c := ratelimit.NewConcurrency(2)
	end1, ok1 := c.Begin("olga")
	_, ok2 := c.Begin("olga")
	if _, ok := c.Begin("olga"); !ok1 || !ok2 || ok {
		t.Fatal("want two places for olga, then none")
	}
	if _, ok := c.Begin("pavel"); !ok {
		t.Fatal("pavel refused: the cap is per key")
	}
	end1()
	end1() // twice is once
	if _, ok := c.Begin("olga"); !ok {
		t.Fatal("olga refused after one wait ended")
	}
	if _, ok := c.Begin("olga"); ok {
		t.Fatal("ending a wait twice freed two places")
	}
}

func TestTheClientAddressIsReadBehindTrustedProxiesOnly(t *testing.T) {
	cases := []struct {
		name, peer string
		xff        []string
		trusted    []string
		want       string
	}{
		{"without trusted proxies the peer is the client", "203.0.113.7:5000", []string{"198.51.100.1"}, nil, "203.0.113.7"},
		{"an untrusted peer's X-Forwarded-For is ignored", "203.0.113.7:5000", []string{"198.51.100.1"}, []string{"10.0.0.0/8"}, "203.0.113.7"},
		{"a trusted proxy names the client", "10.0.0.2:5000", []string{"198.51.100.1"}, []string{"10.0.0.0/8"}, "198.51.100.1"},
		{"the rightmost untrusted hop wins over what the client wrote", "10.0.0.2:5000",
			[]string{"1.2.3.4, 198.51.100.1, 10.0.0.9"}, []string{"10.0.0.0/8"}, "198.51.100.1"},
		{"hops in several headers are one list", "10.0.0.2:5000", []string{"1.2.3.4", "198.51.100.1"}, []string{"10.0.0.0/8"}, "198.51.100.1"},
		{"a single trusted address", "192.0.2.10:5000", []string{"198.51.100.1"}, []string{"192.0.2.10"}, "198.51.100.1"},
		{"a hop that does not parse stops at the last trusted one", "10.0.0.2:5000", []string{"198.51.100.1, bogus"}, []string{"10.0.0.0/8"}, "10.0.0.2"},
		{"only trusted hops: the nearest to the client", "10.0.0.2:5000", []string{"10.1.1.1, 10.0.0.9"}, []string{"10.0.0.0/8"}, "10.1.1.1"},
		{"an IPv4-mapped peer is its IPv4 address", "[::ffff:203.0.113.7]:5000", nil, nil, "203.0.113.7"},
		{"IPv6 behind a trusted IPv6 proxy", "[2001:db8::1]:443", []string{"2001:db8:1:2::7"}, []string{"2001:db8::/64"}, "2001:db8:1:2::7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ratelimit.New(ratelimit.Config{TrustedProxies: tc.trusted})
			if err != nil {
				t.Fatal(err)
			}
			r, _ := http.NewRequest(http.MethodGet, "http://broker/api/v1/regions", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := l.ClientAddress(r).String(); got != tc.want {
				t.Errorf("client %s, want %s", got, tc.want)
			}
		})
	}
}

func TestOneIPv6SubscriberIsOneAddressKey(t *testing.T) {
	l, err := ratelimit.New(ratelimit.Config{Address: ratelimit.Budget{Reads: ratelimit.Rate{PerSecond: 1, Burst: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	passed := 0
	for i := range 10 { // ten addresses of one /64
		r, _ := http.NewRequest(http.MethodGet, "http://broker/healthz", nil)
		r.RemoteAddr = fmt.Sprintf("[2001:db8:0:1::%x]:443", i+1)
		if ok, _ := l.AllowAddress(r); ok {
			passed++
		}
	}
	if passed != 3 {
		t.Errorf("%d of 10 requests from one /64 passed, want its burst of 3", passed)
	}
}

func TestWritesHaveTheStricterBudget(t *testing.T) {
	l, err := ratelimit.New(ratelimit.Config{Citizen: ratelimit.Budget{
		Reads: ratelimit.Rate{PerSecond: 1, Burst: 5}, Writes: ratelimit.Rate{PerSecond: 1, Burst: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	count := func(write bool) (n int) {
		for range 10 {
			if ok, _ := l.AllowCitizen("olga", write); ok {
				n++
			}
		}
		return n
	}
	if w, r := count(true), count(false); w != 2 || r != 5 {
		t.Errorf("%d writes and %d reads passed, want 2 and 5: separate budgets", w, r)
	}
	for m, write := range map[string]bool{"GET": false, "HEAD": false, "POST": true, "DELETE": true, "PATCH": true} {
		if ratelimit.IsWrite(m) != write {
			t.Errorf("IsWrite(%s) = %v", m, !write)
		}
	}
}

func TestConfigMistakesAreNamed(t *testing.T) {
	cases := map[string]struct {
		cfg  ratelimit.Config
		want string
	}{
		"a negative rate":      {ratelimit.Config{Citizen: ratelimit.Budget{Writes: ratelimit.Rate{PerSecond: -1}}}, "citizen writes"},
		"a proxy that is none": {ratelimit.Config{TrustedProxies: []string{"10.0.0.0/33"}}, "trusted_proxies"},
		"no long-polls at all": {ratelimit.Config{LongPollsPerCitizen: -1}, "long_polls_per_citizen"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := ratelimit.New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want one naming %q", err, tc.want)
			}
		})
	}
}

func TestRetryAfterIsWholeSecondsRoundedUp(t *testing.T) {
	for d, want := range map[time.Duration]int{0: 1, time.Millisecond: 1, time.Second: 1, 1001 * time.Millisecond: 2, 15 * time.Second: 15} {
		if got := ratelimit.RetryAfterSeconds(d); got != want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", d, got, want)
		}
	}
}

func TestAFullMapDropsTheKeysThatAreFullAgainBeforeSendingNewcomersToTheOverflow(t *testing.T) {
	c := newClock()
	// 100 tokens/s, burst 2: a key that took one token is full again in 10 ms,
	// long before the periodic sweep (a refill interval, at least 1 s).
	k := ratelimit.NewKeyed(ratelimit.Rate{PerSecond: 100, Burst: 2}, 3, c.Now)
	for _, key := range []string{"flood-1", "flood-2", "flood-3"} {
		_, _ = k.Allow(key)
	}
	c.Advance(200 * time.Millisecond)
	drain(k, "overflow-eater") // if it lands in the overflow bucket, that one is empty now
	for i := range 3 {
		if ok, _ := k.Allow(fmt.Sprint("citizen-", i)); !ok {
			t.Fatalf("newcomer %d refused: a full map of refilled keys must be swept, not shared as overflow", i)
		}
	}
}
