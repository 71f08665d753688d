package auth

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jonboulle/clockwork"
)

func TestVerifierAcceptsTokensFromTheDiscoveredIssuer(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, nil)

	got, err := v.Verify(context.Background(), mustIssue(t, ti.DevIssuer, "esia-oid-1000"))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := Citizen{Subject: "esia-oid-1000", SNILS: SyntheticSNILS("esia-oid-1000"), OMS: SyntheticOMS("esia-oid-1000"),
		BirthDate: SyntheticBirthDate("esia-oid-1000"), subjectHash: testPseudonyms.SubjectHash("esia-oid-1000")}
	if got != want {
		t.Fatalf("Verify = %#v, want subject %q with synthetic identifiers", got, want.Subject)
	}
}

// claims returns valid claims for ti, changed by edit.
func claims(ti *testIssuer, edit func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{
		"iss": ti.Issuer(), "aud": testAudience, "sub": "esia-oid-7",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"snils": "112-233-445 95", "oms": "1234567890123456",
	}
	if edit != nil {
		edit(c)
	}
	return c
}

func signed(t testing.TB, ti *testIssuer, edit func(jwt.MapClaims)) string {
	t.Helper()
	tok, err := ti.sign(claims(ti, edit))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVerifierRejectsBadTokens(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, nil)
	hour := time.Hour

	tests := []struct {
		name   string
		token  func(t *testing.T) string
		reason string
	}{
		{"an expired token is rejected", func(t *testing.T) string {
			return signed(t, ti, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-hour).Unix() })
		}, "expired"},
		{"a token without exp is rejected", func(t *testing.T) string {
			return signed(t, ti, func(c jwt.MapClaims) { delete(c, "exp") })
		}, "required claim"},
		{"a token not valid yet is rejected", func(t *testing.T) string {
			return signed(t, ti, func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(hour).Unix() })
		}, "not valid yet"},
		{"a token issued in the future is rejected", func(t *testing.T) string {
			return signed(t, ti, func(c jwt.MapClaims) { c["iat"] = time.Now().Add(hour).Unix() })
		}, "issued in the future"},
		{"a token without iat is rejected", func(t *testing.T) string {
			return signed(t, ti, func(c jwt.MapClaims) { delete(c, "iat") })
		}, "required claim"},
		{"a token for another audience is rejected", func(t *testing.T) string {
			return signed(t, ti, func(c jwt.MapClaims) { c["aud"] = "another-service" })
		}, "another audience"},
		{"a token from another issuer is rejected", func(t *testing.T) string {
			return signed(t, ti, func(c jwt.MapClaims) { c["iss"] = "https://evil.example" })
		}, "another issuer"},
		{"a token without subject is rejected", func(t *testing.T) string {
			return signed(t, ti, func(c jwt.MapClaims) { delete(c, "sub") })
		}, "no subject"},
		{"a token with a bad SNILS checksum is rejected", func(t *testing.T) string {
			return signed(t, ti, func(c jwt.MapClaims) { c["snils"] = "112-233-445 96" })
		}, "snils claim"},
		{"a token with a short OMS number is rejected", func(t *testing.T) string {
			return signed(t, ti, func(c jwt.MapClaims) { c["oms"] = "123456789012345" })
		}, "oms claim"},
		{"a token with a birth date that is only a year is rejected", func(t *testing.T) string {
			return signed(t, ti, func(c jwt.MapClaims) { c["birthdate"] = "1980" })
		}, "birthdate claim"},
		{"a token with a numeric SNILS is rejected", func(t *testing.T) string {
			return signed(t, ti, func(c jwt.MapClaims) { c["snils"] = 11223344595 })
		}, "malformed"},
		{"an unsigned token (alg none) is rejected", func(t *testing.T) string {
			tok, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims(ti, nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}, "algorithm not allowed"},
		{"an HS256 token keyed with the public key is rejected", func(t *testing.T) string {
			return hmacWithPublicKey(t, ti)
		}, "algorithm not allowed"},
		{"a token signed by a key the issuer never published is rejected", func(t *testing.T) string {
			other, err := NewDevIssuer(ti.Issuer(), testAudience)
			if err != nil {
				t.Fatal(err)
			}
			return mustIssue(t, other, "esia-oid-7")
		}, "unknown key"},
		{"a token whose payload was altered is rejected", func(t *testing.T) string {
			return tamper(t, signed(t, ti, nil))
		}, "signature invalid"},
		{"a token with a missing signature is rejected", func(t *testing.T) string {
			tok := signed(t, ti, nil)
			return tok[:strings.LastIndex(tok, ".")+1]
		}, "signature invalid"},
		{"garbage is rejected", func(t *testing.T) string { return "not-a-jwt" }, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := tt.token(t)
			c, err := v.Verify(context.Background(), tok)
			if !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("Verify = %v, %v; want ErrUnauthenticated", c, err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not give the reason %q", err, tt.reason)
			}
			if strings.Contains(err.Error(), tok) || strings.Contains(err.Error(), "112") {
				t.Errorf("error %q leaks the token or an identifier", err)
			}
		})
	}
}

// hmacWithPublicKey forges the classic confusion attack: an HS256 token whose
// HMAC key is the issuer's public key, with the real key id.
func hmacWithPublicKey(t testing.TB, ti *testIssuer) string {
	t.Helper()
	ti.mu.RLock()
	key := ti.keys[len(ti.keys)-1]
	ti.mu.RUnlock()
	der, err := x509.MarshalPKIXPublicKey(&key.priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(ti, nil))
	tok.Header["kid"] = key.kid
	s, err := tok.SignedString(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tamper rewrites the payload's subject and keeps the original signature.
func tamper(t testing.TB, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	c["sub"] = "someone-else"
	payload, _ = json.Marshal(c)
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

func TestVerifierPicksUpARotatedKey(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, func(c *VerifierConfig) { c.RefetchInterval = time.Millisecond })
	old := mustIssue(t, ti.DevIssuer, "esia-oid-1")
	if err := ti.Rotate(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)

	if _, err := v.Verify(context.Background(), mustIssue(t, ti.DevIssuer, "esia-oid-1")); err != nil {
		t.Fatalf("token signed with the rotated key: %v", err)
	}
	if _, err := v.Verify(context.Background(), old); err != nil {
		t.Fatalf("token signed before rotation: %v", err)
	}
	if n := ti.jwksFetches.Load(); n != 2 {
		t.Fatalf("keys fetched %d times, want 2 (start and rotation)", n)
	}
}

func TestVerifierRateLimitsRefetchesForUnknownKeys(t *testing.T) {
	ti := startIssuer(t)
	clock := clockwork.NewFakeClock()
	v := newTestVerifier(t, ti, func(c *VerifierConfig) { c.Now = clock.Now })
	stranger, err := NewDevIssuer(ti.Issuer(), testAudience)
	if err != nil {
		t.Fatal(err)
	}
	forged := mustIssue(t, stranger, "esia-oid-1")

	verifyTimes := func(n int) {
		for range n {
			if _, err := v.Verify(context.Background(), forged); !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("forged token: %v", err)
			}
		}
	}
	verifyTimes(20)
	if n := ti.jwksFetches.Load(); n != 1 {
		t.Fatalf("within the refetch interval keys were fetched %d times, want only the start", n)
	}
	clock.Advance(31 * time.Second)
	verifyTimes(20)
	if n := ti.jwksFetches.Load(); n != 2 {
		t.Fatalf("after the refetch interval keys were fetched %d times, want 2", n)
	}
}

func TestVerifierRefreshesKeysInTheBackgroundBeforeTheirTTL(t *testing.T) {
	ti := startIssuer(t)
	// Unknown key ids may not trigger a fetch here, so only the background
	// refresher can bring in the rotated key.
	v := newTestVerifier(t, ti, func(c *VerifierConfig) { c.CacheTTL = 40 * time.Millisecond; c.RefetchInterval = time.Hour })
	if err := ti.Rotate(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "keys refetched without any verification", func() bool { return ti.jwksFetches.Load() >= 2 })
	tok := mustIssue(t, ti.DevIssuer, "esia-oid-1")
	eventually(t, "the rotated key verifies", func() bool {
		_, err := v.Verify(context.Background(), tok)
		return err == nil
	})
}

func TestVerifierKeepsOldKeysWhenTheIssuerIsDown(t *testing.T) {
	ti := startIssuer(t)
	clock := clockwork.NewFakeClock()
	v := newTestVerifier(t, ti, func(c *VerifierConfig) { c.Now = clock.Now; c.CacheTTL = time.Minute })
	tok := mustIssue(t, ti.DevIssuer, "esia-oid-1")
	ti.server.Close()
	clock.Advance(2 * time.Minute)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatalf("stale keys should still verify while the issuer is down: %v", err)
	}
}

func TestNewVerifierRefusesBadSetups(t *testing.T) {
	ti := startIssuer(t)
	tests := []struct {
		name string
		cfg  VerifierConfig
	}{
		{"a missing issuer is refused", VerifierConfig{Audience: testAudience, Pseudonyms: testPseudonyms}},
		{"a missing audience is refused", VerifierConfig{Issuer: ti.Issuer(), Pseudonyms: testPseudonyms}},
		{"a missing pseudonymizer is refused", VerifierConfig{Issuer: ti.Issuer(), Audience: testAudience}},
		{"an ID-token audience equal to the audience is refused", VerifierConfig{Issuer: ti.Issuer(), Audience: testAudience, Pseudonyms: testPseudonyms, IDTokenAudiences: []string{testAudience}}},
		{"plain http to a remote issuer is refused", VerifierConfig{Issuer: "http://idp.example", Audience: testAudience, Pseudonyms: testPseudonyms}},
		{"plain http to a remote key URL is refused", VerifierConfig{Issuer: ti.Issuer(), Audience: testAudience, Pseudonyms: testPseudonyms, JWKSURL: "http://idp.example/jwks"}},
		{"a discovery document naming another issuer is refused", VerifierConfig{Issuer: ti.server.URL + "/idp/other", Audience: testAudience, Pseudonyms: testPseudonyms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := NewVerifier(ctx, tt.cfg, nil); err == nil {
				t.Fatal("NewVerifier succeeded")
			}
		})
	}
}

func TestVerifierAcceptsRS256FromAnExplicitKeyURL(t *testing.T) {
	srv, sign := startRSAIssuer(t)
	cfg := VerifierConfig{Issuer: srv.URL, Audience: testAudience, Pseudonyms: testPseudonyms, JWKSURL: srv.URL + "/keys"}
	v, err := NewVerifier(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	now := time.Now()
	tok := sign(jwt.MapClaims{"iss": srv.URL, "aud": []string{"other", testAudience}, "sub": "esia-oid-9",
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix()})
	c, err := v.Verify(context.Background(), tok)
	if err != nil || c.Subject != "esia-oid-9" || c.SNILS != "" {
		t.Fatalf("Verify = %v (%#v), want subject esia-oid-9 without SNILS", err, c)
	}
}

func TestDevIssuerPublishesItsKeysAsUsableJWKS(t *testing.T) {
	ti := startIssuer(t)
	if err := ti.Rotate(); err != nil {
		t.Fatal(err)
	}
	set, skipped, err := parseJWKS(mustJSON(t, ti.publicJWKS()))
	if err != nil || len(set) != 2 || skipped != 0 || set[0].alg != algES256 || set[0].kid == set[1].kid {
		t.Fatalf("parseJWKS(dev issuer) = %d keys, %d skipped, %v; want two distinct ES256 keys", len(set), skipped, err)
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerifierIsSafeForConcurrentUseDuringRotation(t *testing.T) {
	ti := startIssuer(t)
	// A 1 ns refetch interval: this test is about data races, not about the
	// rate limit (which would rightly refuse a key rotated a moment ago).
	v := newTestVerifier(t, ti, func(c *VerifierConfig) { c.RefetchInterval = time.Nanosecond })
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			var err error
			for i := 0; i < 40 && err == nil; i++ {
				if g == 0 && i%10 == 0 {
					err = ti.Rotate()
				}
				var tok string
				if tok, err = ti.Issue("esia-oid-c", time.Minute); err == nil {
					_, err = v.Verify(context.Background(), tok)
				}
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
