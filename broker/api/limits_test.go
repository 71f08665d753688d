package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/fedhealth/federation/contracts"
)

// limitedServer is routedServer with limits.
func limitedServer(t *testing.T, cfg ratelimit.Config) *Server {
	t.Helper()
	s := routedServer(t)
	var err error
	if s.limits, err = ratelimit.New(cfg); err != nil {
		t.Fatal(err)
	}
	s.routes()
	return s
}

// asCitizen serves next as the citizen the X-Test-Citizen header names, as
// the auth middleware would after verifying a token.
func asCitizen(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := auth.Citizen{Subject: r.Header.Get("X-Test-Citizen")}
		next.ServeHTTP(w, r.WithContext(auth.WithCitizen(r.Context(), c)))
	})
}

func send(t *testing.T, method, url string, header map[string]string) (*http.Response, problem) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(`{"citizen_id":"olga"}`))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var pr problem
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusTooManyRequests {
		if err := json.Unmarshal(body, &pr); err != nil {
			t.Fatalf("429 body %q: %v", body, err)
		}
	}
	return resp, pr
}

// assertLimited checks resp is the rate-limited problem with a Retry-After.
func assertLimited(t *testing.T, resp *http.Response, pr problem, retryAfter string) {
	t.Helper()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Content-Type") != "application/problem+json" ||
		pr.Code != "rate-limited" || pr.Type != problemBase+"rate-limited" || pr.Status != http.StatusTooManyRequests {
		t.Fatalf("%d %s %+v, want a 429 rate-limited problem", resp.StatusCode, resp.Header.Get("Content-Type"), pr)
	}
	if got := resp.Header.Get("Retry-After"); got != retryAfter {
		t.Errorf("Retry-After %q, want %q", got, retryAfter)
	}
}

func TestACallerOverItsAddressLimitIsAnswered429WithRetryAfter(t *testing.T) {
	s := limitedServer(t, ratelimit.Config{
		Address:        ratelimit.Budget{Reads: ratelimit.Rate{PerSecond: 0.25, Burst: 2}},
		TrustedProxies: []string{"127.0.0.1"},
	})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	for i := range 2 {
		if resp, _ := send(t, http.MethodGet, srv.URL+"/api/v1/nowhere", nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("request %d of a burst of 2: %d", i+1, resp.StatusCode)
		}
	}
	resp, pr := send(t, http.MethodGet, srv.URL+"/api/v1/nowhere", nil)
	assertLimited(t, resp, pr, "4") // one token at 0.25/s
	// The probes are never limited: a load balancer checks from one address.
	for _, probe := range []string{"/healthz", "/readyz"} {
		if resp, _ := send(t, http.MethodGet, srv.URL+probe, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s over the address's limit: %d, want 200", probe, resp.StatusCode)
		}
	}
	if resp.Header.Get(HeaderCorrelationID) == "" {
		t.Error("a 429 without X-Correlation-ID")
	}
	// Another client behind the trusted proxy (the test's loopback) has its own budget.
	other := map[string]string{"X-Forwarded-For": "198.51.100.7"}
	if resp, _ := send(t, http.MethodGet, srv.URL+"/healthz", other); resp.StatusCode != http.StatusOK {
		t.Errorf("another client behind the proxy: %d, want 200", resp.StatusCode)
	}
}

func TestStateChangesHaveTheStricterAddressLimit(t *testing.T) {
	s := limitedServer(t, ratelimit.Config{Address: ratelimit.Budget{
		Reads: ratelimit.Rate{PerSecond: 1, Burst: 100}, Writes: ratelimit.Rate{PerSecond: 1, Burst: 1}}})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	ct := map[string]string{"Content-Type": "application/json"}
	if resp, _ := send(t, http.MethodPost, srv.URL+"/api/v1/dev/token", ct); resp.StatusCode == http.StatusTooManyRequests {
		t.Fatal("the first write was refused")
	}
	resp, pr := send(t, http.MethodPost, srv.URL+"/api/v1/dev/token", ct)
	assertLimited(t, resp, pr, "1")
	if resp, _ := send(t, http.MethodGet, srv.URL+"/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("a read after the writes ran out: %d, want 200", resp.StatusCode)
	}
}

func TestACitizenOverItsLimitIsAnswered429WhileOthersGoOn(t *testing.T) {
	s := limitedServer(t, ratelimit.Config{Citizen: ratelimit.Budget{
		Reads: ratelimit.Rate{PerSecond: 0.5, Burst: 3}, Writes: ratelimit.Rate{PerSecond: 0.1, Burst: 1}}})
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	srv := httptest.NewServer(asCitizen(s.limitCitizen(ok)))
	defer srv.Close()
	olga, pavel := map[string]string{"X-Test-Citizen": "olga"}, map[string]string{"X-Test-Citizen": "pavel"}
	for i := range 3 {
		if resp, _ := send(t, http.MethodGet, srv.URL, olga); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("read %d of olga's burst of 3: %d", i+1, resp.StatusCode)
		}
	}
	resp, pr := send(t, http.MethodGet, srv.URL, olga)
	assertLimited(t, resp, pr, "2")
	if resp, _ := send(t, http.MethodPost, srv.URL, olga); resp.StatusCode != http.StatusNoContent {
		t.Errorf("olga's first write: %d; writes have a budget of their own", resp.StatusCode)
	}
	resp, pr = send(t, http.MethodPost, srv.URL, olga)
	assertLimited(t, resp, pr, "10")
	if resp, _ := send(t, http.MethodGet, srv.URL, pavel); resp.StatusCode != http.StatusNoContent {
		t.Errorf("pavel's read: %d; olga's limit is hers alone", resp.StatusCode)
	}
}

func TestLongPollsBeyondTheCitizensCapAreAnsweredAtOnce(t *testing.T) {
	s := limitedServer(t, ratelimit.Config{LongPollsPerCitizen: 2})
	var waiting atomic.Int64
	// The handler waits as getBooking would, and says whether it was asked to.
	waiter := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := time.ParseDuration(r.URL.Query().Get("wait"))
		if d > 0 {
			waiting.Add(1)
			defer waiting.Add(-1)
			select {
			case <-time.After(d):
			case <-r.Context().Done():
			}
		}
		fmt.Fprintf(w, "waited %v", d)
	})
	srv := httptest.NewServer(asCitizen(s.capWaits(waiter)))
	defer srv.Close()
	olga := map[string]string{"X-Test-Citizen": "olga"}
	for range 2 {
		go func() { _, _ = send(t, http.MethodGet, srv.URL+"?wait=1500ms", olga) }()
	}
	eventually(t, "olga's two waits are held", func() bool { return waiting.Load() == 2 })
	began := time.Now()
	body := get(t, srv.URL+"?wait=1500ms", olga)
	if took := time.Since(began); took > time.Second || body != "waited 0s" {
		t.Errorf("olga's third wait: %q after %v, want an answer at once without waiting", body, took)
	}
	go func() {
		_, _ = send(t, http.MethodGet, srv.URL+"?wait=1500ms", map[string]string{"X-Test-Citizen": "pavel"})
	}()
	eventually(t, "pavel's wait is held beside olga's", func() bool { return waiting.Load() == 3 })
	if body := get(t, srv.URL+"?wait=10ms", olga); body != "waited 0s" {
		t.Errorf("olga still at her cap: %q, want no wait", body)
	}
}

func get(t *testing.T, url string, header map[string]string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// busySearch is shaped as the regions' breaker answers a full search
// budget: unavailable, with a RetryAfter method.
type busySearch struct{ after time.Duration }

func (e busySearch) Error() string             { return "search_slots in region 77: busy" }
func (e busySearch) Unwrap() error             { return contracts.ErrRegionUnavailable }
func (e busySearch) RetryAfter() time.Duration { return e.after }

func TestAnErrorsOwnRetryAfterIsAnsweredOverTheDefault(t *testing.T) {
	s := routedServer(t)
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"a busy search budget's second", fmt.Errorf("region 77: %w", busySearch{time.Second}), "1"},
		{"an unavailable region without a delay of its own", contracts.ErrRegionUnavailable, "30"},
		{"a caller over its limit", retryLater{errRateLimited, 2500 * time.Millisecond}, "3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.writeError(w, r, tc.err) }))
			defer srv.Close()
			resp, _ := send(t, http.MethodGet, srv.URL, nil)
			if got := resp.Header.Get("Retry-After"); got != tc.want {
				t.Errorf("Retry-After %q, want %q", got, tc.want)
			}
		})
	}
	if !errors.Is(retryLater{errRateLimited, time.Second}, errRateLimited) {
		t.Error("a retryLater hides its error")
	}
}
