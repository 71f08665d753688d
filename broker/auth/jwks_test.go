package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// startRSAIssuer serves a JWKS with one 2048-bit RS256 key (kid "rsa-1") and
// a 1024-bit one (kid "weak"), and returns a signer for the strong key.
func startRSAIssuer(t testing.TB) (*httptest.Server, func(jwt.MapClaims) string) {
	t.Helper()
	strong, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	body := mustJSON(t, map[string]any{"keys": []map[string]string{
		rsaJWK("weak", &weak.PublicKey),
		{"kty": "oct", "kid": "secret", "k": "c2VjcmV0"},
		rsaJWK("rsa-1", &strong.PublicKey),
	}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	sign := func(c jwt.MapClaims) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
		tok.Header["kid"] = "rsa-1"
		s, err := tok.SignedString(strong)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return srv, sign
}

func rsaJWK(kid string, k *rsa.PublicKey) map[string]string {
	b := base64.RawURLEncoding
	return map[string]string{"kty": "RSA", "kid": kid, "use": "sig",
		"n": b.EncodeToString(k.N.Bytes()), "e": b.EncodeToString(big.NewInt(int64(k.E)).Bytes())}
}

func TestParseJWKSKeepsOnlyUsableSigningKeys(t *testing.T) {
	strong, _ := rsa.GenerateKey(rand.Reader, 2048)
	weak, _ := rsa.GenerateKey(rand.Reader, 1024)
	enc := rsaJWK("enc", &strong.PublicKey)
	enc["use"] = "enc"
	rs512 := rsaJWK("rs512", &strong.PublicKey)
	rs512["alg"] = "RS512"
	set, skipped, err := parseJWKS(mustJSON(t, map[string]any{"keys": []map[string]string{
		rsaJWK("ok", &strong.PublicKey), rsaJWK("weak", &weak.PublicKey), enc, rs512,
		{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
		{"kty": "EC", "kid": "off-curve", "crv": "P-256", "x": b64zeros(32), "y": b64zeros(32)},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	if len(set) != 1 || set[0].kid != "ok" || skipped != 5 {
		t.Fatalf("kept %d keys (first %q), skipped %d; want only \"ok\" and 5 skipped", len(set), set[0].kid, skipped)
	}
	if _, _, err := parseJWKS([]byte(`{"keys":[]}`)); err == nil {
		t.Fatal("an empty key set was accepted")
	}
}

func b64zeros(n int) string { return base64.RawURLEncoding.EncodeToString(make([]byte, n)) }
