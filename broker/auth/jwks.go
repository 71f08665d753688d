package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// The JWKS format is parsed by hand rather than with a JOSE library: only
// two key types are accepted (RSA for RS256, P-256 EC for ES256), which is
// about a hundred lines with the standard library, and a smaller surface is
// easier to audit than a general JOSE stack we would mostly not use.

const (
	algRS256 = "RS256"
	algES256 = "ES256"

	minRSABits = 2048
)

// allowedAlgs are the only signature algorithms accepted: "none" and HMAC
// (where the public key could be abused as a shared secret) are excluded.
var allowedAlgs = []string{algRS256, algES256}

// publicKey is one usable verification key from a JWKS.
type publicKey struct {
	kid string
	alg string
	key crypto.PublicKey
}

// keySet is an immutable snapshot of the issuer's signing keys.
type keySet []publicKey

// find returns the key for a token's kid and alg. A token without kid is
// accepted only when exactly one key fits its algorithm, as with issuers that
// publish a single key.
func (s keySet) find(kid, alg string) (crypto.PublicKey, bool) {
	var found []crypto.PublicKey
	for _, k := range s {
		if k.alg == alg && (kid == "" || k.kid == kid) {
			found = append(found, k.key)
		}
	}
	if len(found) == 0 || (kid == "" && len(found) > 1) {
		return nil, false
	}
	return found[0], true
}

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseJWKS keeps the signing keys it can use and reports how many it
// skipped; a set with no usable key is an error.
func parseJWKS(body []byte) (keySet, int, error) {
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, 0, fmt.Errorf("decode JWKS: %w", err)
	}
	var set keySet
	skipped := 0
	for _, k := range doc.Keys {
		pk, err := k.publicKey()
		if err != nil {
			skipped++
			continue
		}
		set = append(set, pk)
	}
	if len(set) == 0 {
		return nil, skipped, errors.New("JWKS has no usable RS256 or ES256 signing key")
	}
	return set, skipped, nil
}

func (k jwk) publicKey() (publicKey, error) {
	if k.Use != "" && k.Use != "sig" {
		return publicKey{}, errors.New("not a signing key")
	}
	switch k.Kty {
	case "RSA":
		return k.rsaKey()
	case "EC":
		return k.ecKey()
	}
	return publicKey{}, fmt.Errorf("unsupported key type %q", k.Kty)
}

func (k jwk) rsaKey() (publicKey, error) {
	if k.Alg != "" && k.Alg != algRS256 {
		return publicKey{}, fmt.Errorf("unsupported RSA algorithm %q", k.Alg)
	}
	n, err1 := decodeB64(k.N)
	e, err2 := decodeB64(k.E)
	if err := errors.Join(err1, err2); err != nil {
		return publicKey{}, err
	}
	modulus := new(big.Int).SetBytes(n)
	exponent := new(big.Int).SetBytes(e)
	if modulus.BitLen() < minRSABits || !exponent.IsInt64() || exponent.Int64() < 3 || exponent.Int64() > 1<<31-1 {
		return publicKey{}, errors.New("weak or malformed RSA key")
	}
	key := &rsa.PublicKey{N: modulus, E: int(exponent.Int64())}
	return publicKey{kid: k.Kid, alg: algRS256, key: key}, nil
}

func (k jwk) ecKey() (publicKey, error) {
	if k.Crv != "P-256" || (k.Alg != "" && k.Alg != algES256) {
		return publicKey{}, fmt.Errorf("unsupported EC key %q/%q", k.Crv, k.Alg)
	}
	x, err1 := decodeB64(k.X)
	y, err2 := decodeB64(k.Y)
	if err := errors.Join(err1, err2); err != nil {
		return publicKey{}, err
	}
	if len(x) != 32 || len(y) != 32 {
		return publicKey{}, errors.New("malformed P-256 coordinates")
	}
	point := append(append([]byte{4}, x...), y...)
	// ParseUncompressedPublicKey rejects points that are not on the curve.
	key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		return publicKey{}, err
	}
	return publicKey{kid: k.Kid, alg: algES256, key: key}, nil
}

// decodeB64 decodes base64url, tolerating the padding some issuers add.
func decodeB64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
