package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// hangingIssuer serves dev's keys once; every later key fetch announces
// itself on entered and then hangs until the test ends or the client gives
// up.
func hangingIssuer(t *testing.T, dev *DevIssuer) (srv *httptest.Server, entered <-chan struct{}) {
	t.Helper()
	in := make(chan struct{}, 100)
	release := make(chan struct{})
	var fetches atomic.Int64
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fetches.Add(1) > 1 {
			in <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		dev.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: lets the server close
	return srv, in
}

func TestAHangingIssuerNeverStallsAVerification(t *testing.T) {
	dev, err := NewDevIssuer("http://127.0.0.1/idp", testAudience)
	if err != nil {
		t.Fatal(err)
	}
	srv, entered := hangingIssuer(t, dev)
	ctx := context.Background()
	v, err := NewVerifier(ctx, VerifierConfig{Issuer: dev.Issuer(), Audience: testAudience, Pseudonyms: testPseudonyms, JWKSURL: srv.URL + "/jwks.json",
		CacheTTL: 40 * time.Millisecond, RefetchInterval: 10 * time.Millisecond, UnknownKeyWait: 50 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	stranger, err := NewDevIssuer(dev.Issuer(), testAudience)
	if err != nil {
		t.Fatal(err)
	}

	// Verify fresh tokens (no cache hits) for well past the TTL, while the
	// refresh of the keys hangs, and one naming a key id nobody knows.
	done := make(chan error, 1)
	go func() {
		for range 30 {
			if _, err := v.Verify(ctx, mustIssue(t, dev, "esia-oid-1")); err != nil {
				done <- err
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		if _, err := v.Verify(ctx, mustIssue(t, stranger, "esia-oid-1")); !errors.Is(err, ErrUnauthenticated) {
			done <- err
			return
		}
		done <- nil
	}()
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the keys were never refreshed")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("verification while the issuer hangs: %v", err)
		}
	case <-time.After(5 * time.Second): // the hanging fetch would hold it 10 s
		t.Fatal("verifications blocked on the hanging issuer")
	}
}

// toggledIssuer serves dev's keys, or 503 while down is set.
func toggledIssuer(t *testing.T, dev *DevIssuer, down *atomic.Bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		dev.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestKeysPastTheirMaximumAgeRefuseEveryTokenUntilRefreshed(t *testing.T) {
	dev, err := NewDevIssuer("http://127.0.0.1/idp", testAudience)
	if err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	srv := toggledIssuer(t, dev, &down)
	ctx := context.Background()
	v, err := NewVerifier(ctx, VerifierConfig{Issuer: dev.Issuer(), Audience: testAudience, Pseudonyms: testPseudonyms, JWKSURL: srv.URL + "/jwks.json",
		CacheTTL: 20 * time.Millisecond, MaxKeyAge: 100 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	tok := mustIssue(t, dev, "esia-oid-1")
	if _, err := v.Verify(ctx, tok); err != nil {
		t.Fatal(err)
	}

	down.Store(true)
	var refused error
	eventually(t, "tokens refused once the keys pass their maximum age", func() bool {
		_, refused = v.Verify(ctx, tok) // the verified-token cache must not answer either
		return refused != nil
	})
	if !errors.Is(refused, ErrKeysUnavailable) || errors.Is(refused, ErrUnauthenticated) || contracts.KindOf(refused) != contracts.KindUnavailable {
		t.Fatalf("Verify = %v, want ErrKeysUnavailable (unavailable, not unauthenticated)", refused)
	}
	api := httptest.NewServer(Middleware(v, nil)(http.NotFoundHandler()))
	defer api.Close()
	req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("middleware answered %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	down.Store(false)
	eventually(t, "tokens accepted again once the issuer answers", func() bool {
		_, err := v.Verify(ctx, tok)
		return err == nil
	})
}

func TestRefreshBackoffDoublesWithJitterUpToACap(t *testing.T) {
	c := &keyCache{ttl: 10 * time.Minute}
	tests := []struct {
		name     string
		failures int
		lo, hi   time.Duration
	}{
		{"the first retry comes within a second", 1, 500 * time.Millisecond, time.Second},
		{"the third waits two to four seconds", 3, 2 * time.Second, 4 * time.Second},
		{"many failures wait at most five minutes", 40, 150 * time.Second, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 100 {
				if d := c.backoff(tt.failures); d < tt.lo || d > tt.hi {
					t.Fatalf("backoff(%d) = %s, want %s..%s", tt.failures, d, tt.lo, tt.hi)
				}
			}
		})
	}
	short := &keyCache{ttl: 20 * time.Millisecond}
	if d := short.backoff(10); d > 20*time.Millisecond {
		t.Fatalf("backoff with a 20 ms TTL = %s, want at most the TTL", d)
	}
}

func TestVerifierConfigRefusesAMaximumKeyAgeBelowTheTTL(t *testing.T) {
	cfg := VerifierConfig{Issuer: "https://idp.example", Audience: testAudience, Pseudonyms: testPseudonyms, CacheTTL: time.Hour, MaxKeyAge: time.Minute}
	cfg.setDefaults()
	if err := cfg.Validate(); err == nil {
		t.Fatal("a maximum key age below the TTL was accepted")
	}
}
