package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// startRedirector answers every request with a 302 to the same path on
// target.
func startRedirector(t *testing.T, target string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestKeyAndDiscoveryFetchesRefuseRedirects(t *testing.T) {
	ti := startIssuer(t)
	redirector := startRedirector(t, ti.server.URL)
	following := &http.Client{Timeout: 5 * time.Second} // its default policy follows redirects
	tests := []struct {
		name string
		cfg  VerifierConfig
	}{
		{"a redirected discovery document is refused", VerifierConfig{Issuer: redirector.URL + "/idp", Audience: testAudience, Pseudonyms: testPseudonyms}},
		{"a redirected key set is refused", VerifierConfig{Issuer: ti.Issuer(), Audience: testAudience, Pseudonyms: testPseudonyms, JWKSURL: redirector.URL + "/idp/jwks.json"}},
		{"a redirected key set is refused even with a caller's client that follows redirects",
			VerifierConfig{Issuer: ti.Issuer(), Audience: testAudience, Pseudonyms: testPseudonyms, JWKSURL: redirector.URL + "/idp/jwks.json", HTTPClient: following}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := NewVerifier(ctx, tt.cfg, nil)
			if err == nil {
				t.Fatal("NewVerifier followed the redirect")
			}
			if !strings.Contains(err.Error(), "status 302") {
				t.Errorf("error %q does not say the answer was a redirect", err)
			}
		})
	}
	if following.CheckRedirect != nil {
		t.Error("the caller's client was modified")
	}
	if n := ti.jwksFetches.Load(); n != 0 {
		t.Errorf("the real key set was fetched %d times through a redirect", n)
	}
}

func TestIssuerIsComparedExactly(t *testing.T) {
	ti := startIssuer(t) // names itself http://…/idp, without a trailing slash
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	t.Run("discovery naming the issuer without the configured trailing slash is refused", func(t *testing.T) {
		_, err := NewVerifier(ctx, VerifierConfig{Issuer: ti.Issuer() + "/", Audience: testAudience, Pseudonyms: testPseudonyms}, nil)
		if err == nil {

			t.Fatal("NewVerifier accepted a discovery document naming another issuer")
		}
	})
	t.Run("a token whose iss differs by a trailing slash is refused", func(t *testing.T) {
		v, err := NewVerifier(ctx, VerifierConfig{Issuer: ti.Issuer() + "/", Audience: testAudience, Pseudonyms: testPseudonyms, JWKSURL: ti.Issuer() + "/jwks.json"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		if _, err := v.Verify(ctx, mustIssue(t, ti.DevIssuer, "esia-oid-1")); !errors.Is(err, ErrUnauthenticated) || !strings.Contains(err.Error(), "another issuer") {
			t.Fatalf("Verify = %v, want another issuer", err)
		}
	})
	t.Run("a token whose iss adds a trailing slash is refused", func(t *testing.T) {
		v := newTestVerifier(t, ti, nil)
		tok := signed(t, ti, func(c jwt.MapClaims) { c["iss"] = ti.Issuer() + "/" })
		if _, err := v.Verify(ctx, tok); !errors.Is(err, ErrUnauthenticated) || !strings.Contains(err.Error(), "another issuer") {
			t.Fatalf("Verify = %v, want another issuer", err)
		}
	})
	t.Run("a token whose iss differs in case is refused", func(t *testing.T) {
		v := newTestVerifier(t, ti, nil)
		tok := signed(t, ti, func(c jwt.MapClaims) { c["iss"] = strings.ToUpper(ti.Issuer()) })
		if _, err := v.Verify(ctx, tok); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("Verify = %v, want refused", err)
		}
	})
}
