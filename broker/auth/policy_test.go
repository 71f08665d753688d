package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// signedTyped signs ti's valid claims, changed by edit, with the given
// "typ" header; a nil typ leaves the header without one.
func signedTyped(t testing.TB, ti *testIssuer, typ any, edit func(jwt.MapClaims)) string {
	t.Helper()
	ti.mu.RLock()
	key := ti.keys[len(ti.keys)-1]
	ti.mu.RUnlock()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims(ti, edit))
	tok.Header["kid"] = key.kid
	if typ == nil {
		delete(tok.Header, "typ")
	} else {
		tok.Header["typ"] = typ
	}
	s, err := tok.SignedString(key.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifierTellsAccessTokensFromOtherTokens(t *testing.T) {
	ti := startIssuer(t)
	lenient := newTestVerifier(t, ti, func(c *VerifierConfig) { c.IDTokenAudiences = []string{"portal-web"} })
	strict := newTestVerifier(t, ti, func(c *VerifierConfig) { c.RequireAccessTokenType = true })
	withNonce := func(c jwt.MapClaims) { c["nonce"] = "n-0S6_WzA2Mj" }
	tooLong := func(c jwt.MapClaims) { c["exp"] = time.Now().Add(61 * time.Minute).Unix() }

	tests := []struct {
		name   string
		v      *Verifier
		token  string
		reason string // empty: accepted
	}{
		{"an at+jwt token is accepted", lenient, signedTyped(t, ti, "at+jwt", nil), ""},
		{"an application/at+jwt token is accepted", strict, signedTyped(t, ti, "application/AT+JWT", nil), ""},
		{"by default a JWT-typed token without nonce is accepted", lenient, signedTyped(t, ti, "JWT", nil), ""},
		{"by default an untyped token without nonce is accepted", lenient, signedTyped(t, ti, nil, nil), ""},
		{"a token with a nonce is refused as an ID token", lenient, signedTyped(t, ti, "JWT", withNonce), "ID token"},
		{"even an at+jwt token with a nonce is refused", strict, signedTyped(t, ti, "at+jwt", withNonce), "ID token"},
		{"a token for a listed ID-token audience is refused", lenient,
			signedTyped(t, ti, "JWT", func(c jwt.MapClaims) { c["aud"] = []string{testAudience, "portal-web"} }), "ID token"},
		{"a token of another JWT type is refused", lenient, signedTyped(t, ti, "logout+jwt", nil), "another type"},
		{"a non-string typ is refused", lenient, signedTyped(t, ti, 7, nil), "malformed"},
		{"when typed access tokens are required a JWT-typed token is refused", strict, signedTyped(t, ti, "JWT", nil), "typed as an access token"},
		{"when typed access tokens are required an untyped token is refused", strict, signedTyped(t, ti, nil, nil), "typed as an access token"},
		{"a token living an hour is accepted", lenient,
			signedTyped(t, ti, "at+jwt", func(c jwt.MapClaims) { c["exp"] = c["iat"].(int64) + 3600 }), ""},
		{"a token living longer than the cap is refused", lenient, signedTyped(t, ti, "at+jwt", tooLong), "lifetime exceeds"},
		{"a long-lived token issued long ago is refused although not expired", lenient, signedTyped(t, ti, "at+jwt", func(c jwt.MapClaims) {
			c["iat"] = time.Now().Add(-47 * time.Hour).Unix()
			c["exp"] = time.Now().Add(time.Hour).Unix()
		}), "lifetime exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.v.Verify(context.Background(), tt.token)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrUnauthenticated) || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("Verify = %v, want refused with %q", err, tt.reason)
			}
		})
	}
}
