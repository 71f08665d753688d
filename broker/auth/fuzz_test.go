package auth

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// knownReasons are the only texts a refusal may carry after the sentinel's;
// anything else could be something read from the token.
var knownReasons = []string{
	"malformed token", "token lacks a required claim (exp, iat, iss or aud)", "token has no subject",
	"token signed by an unknown key", "signature invalid or algorithm not allowed", "token expired",
	"token not valid yet", "token issued in the future", "token from another issuer",
	"token meant for another audience", "invalid token", "token lifetime exceeds the maximum",
	"token is of another type than an access token", "an ID token is not an access token",
	"token is not typed as an access token (typ at+jwt required)",
	"the identity provider's keys could not be refreshed for too long",
	"snils claim: " + errSNILSFormat.Error(), "snils claim: " + errSNILSChecksum.Error(),
	"snils claim: " + errSNILSZero.Error(), "oms claim: " + errOMSFormat.Error(),
	"birthdate claim: want YYYY-MM-DD",
}

func mustGet(t testing.TB, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// FuzzVerify feeds arbitrary bearer tokens to a verifier of a real issuer
// on loopback: it must never panic, refuse with a fixed reason that quotes
// nothing of the token, and accept only tokens that name a subject.
func FuzzVerify(f *testing.F) {
	ti := startIssuer(f)
	v := newTestVerifier(f, ti, nil)
	valid := signed(f, ti, nil)
	for _, seed := range []string{
		valid, mustIssue(f, ti.DevIssuer, "esia-oid-1"), tamper(f, valid), hmacWithPublicKey(f, ti),
		signed(f, ti, func(c jwt.MapClaims) { c["exp"] = 1 }),
		signed(f, ti, func(c jwt.MapClaims) { c["snils"] = "112-233-445 96" }),
		signed(f, ti, func(c jwt.MapClaims) { c["nonce"] = "n" }),
		signedTyped(f, ti, "logout+jwt", nil),
		valid[:strings.LastIndex(valid, ".")+1], "", "a.b.c", "e30.e30.", "not-a-jwt",
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", strings.Repeat("A", maxTokenBytes+1),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := v.Verify(ctx, raw)
		if err == nil {
			if c.Subject == "" || c.SubjectHash() == "unverified" {
				t.Fatalf("accepted a token without a subject or hash: %#v", c)
			}
			return
		}
		if !errors.Is(err, ErrUnauthenticated) && !errors.Is(err, ErrKeysUnavailable) {
			t.Fatalf("Verify error %v wraps neither sentinel", err)
		}
		_, text, _ := strings.Cut(err.Error(), ": ")
		known := false
		for _, r := range knownReasons {
			known = known || text == r
		}
		if !known {
			t.Fatalf("Verify error %q carries an unknown reason", err)
		}
	})
}

// FuzzParseJWKS: any document either yields usable keys only (RS256 of at
// least 2048 bits, ES256 on P-256) or an error, never a panic.
func FuzzParseJWKS(f *testing.F) {
	dev, err := NewDevIssuer("http://127.0.0.1/idp", testAudience)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mustJSON(f, dev.publicJWKS()))
	srv, _ := startRSAIssuer(f)
	f.Add(mustGet(f, srv.URL))
	for _, seed := range []string{
		`{"keys":[]}`, `{}`, `[]`, `null`, `{"keys":null}`, `{"keys":[{}]}`,
		`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`,
		`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""}]}`,
		`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`, `{"keys":[{"kty":"RSA","e":"` + strings.Repeat("A", 64) + `"}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		set, skipped, err := parseJWKS(body)
		if (err == nil) != (len(set) > 0) || skipped < 0 {
			t.Fatalf("parseJWKS = %d keys, %d skipped, %v", len(set), skipped, err)
		}
		for _, k := range set {
			switch pk := k.key.(type) {
			case *rsa.PublicKey:
				if k.alg != algRS256 || pk.N.BitLen() < minRSABits || pk.E < 3 {
					t.Fatalf("kept a weak or mislabelled RSA key: alg %s, %d bits, e %d", k.alg, pk.N.BitLen(), pk.E)
				}
			case *ecdsa.PublicKey:
				if k.alg != algES256 || pk.Curve != elliptic.P256() {
					t.Fatalf("kept an EC key that is not ES256 on P-256: %s", k.alg)
				}
			default:
				t.Fatalf("kept a key of type %T", k.key)
			}
		}
	})
}

// FuzzSealerOpen: arbitrary bytes never open (nor panic), except what the
// sealer itself sealed for the same associated data.
func FuzzSealerOpen(f *testing.F) {
	s, err := NewSealer(key(1, 32), key(2, 32))
	if err != nil {
		f.Fatal(err)
	}
	plain := []byte("11223344595")
	sealed, _ := s.Seal(plain, bookingA)
	f.Add(sealed, bookingA)
	f.Add(sealed, bookingB)
	f.Add(legacySeal(f, key(2, 32), nil, plain), []byte(nil))
	f.Add([]byte{sealVersion, 0, 0, 0, 0}, []byte(nil))
	f.Add([]byte{}, []byte(nil))
	f.Fuzz(func(t *testing.T, data, aad []byte) {
		got, err := s.Open(data, aad)
		if err != nil {
			if !errors.Is(err, ErrSealBroken) {
				t.Fatalf("Open error %v does not wrap ErrSealBroken", err)
			}
			return
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("Open accepted forged data: %q", got)
		}
	})
}
