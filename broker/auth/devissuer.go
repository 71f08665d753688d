package auth

// ============================================================================
//  DEMO AND TESTS ONLY. DevIssuer is a toy identity provider: it signs a
//  token for ANY citizen id it is asked for, with synthetic SNILS and OMS.
//  Production must trust only the real identity provider (ESIA). Never mount
//  DevIssuer's handler, or configure the Verifier with its issuer URL,
//  outside demo mode.
// ============================================================================

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DevIssuer is an in-memory OpenID issuer for demo mode and tests ONLY (see
// the banner above): it publishes its discovery document and keys, and
// issues ES256 tokens on request without authenticating anyone.
type DevIssuer struct {
	issuer   string
	audience string

	mu   sync.RWMutex
	keys []devKey // every key ever used, so older tokens still verify; the last signs
}

type devKey struct {
	kid  string
	priv *ecdsa.PrivateKey
	pub  []byte // uncompressed point: 0x04 || X || Y, 32 bytes each
}

// NewDevIssuer creates a DEMO-ONLY issuer named issuerURL (where its Handler
// will be reachable) that mints tokens for audience, with a fresh P-256 key.
func NewDevIssuer(issuerURL, audience string) (*DevIssuer, error) {
	d, err := newDevIssuer(issuerURL, audience)
	if err != nil {
		return nil, err
	}
	if err := d.Rotate(); err != nil {
		return nil, err
	}
	return d, nil
}

// LoadDevIssuer is NewDevIssuer with its signing key kept in keyFile, so
// that the demo's tokens survive a restart: the file is read when it exists
// and created (mode 0600, a PKCS #8 PEM key) when it does not. A key file
// that others may read, or that holds no P-256 key, is refused. An empty
// keyFile means a fresh key in memory, as NewDevIssuer.
func LoadDevIssuer(issuerURL, audience, keyFile string) (*DevIssuer, error) {
	if keyFile == "" {
		return NewDevIssuer(issuerURL, audience)
	}
	d, err := newDevIssuer(issuerURL, audience)
	if err != nil {
		return nil, err
	}
	priv, err := loadOrCreateDevKey(keyFile)
	if err != nil {
		return nil, err
	}
	if err := d.addKey(priv); err != nil {
		return nil, err
	}
	return d, nil
}

func newDevIssuer(issuerURL, audience string) (*DevIssuer, error) {
	issuerURL = strings.TrimRight(issuerURL, "/")
	if u, err := url.Parse(issuerURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("auth: dev issuer URL %q is not an absolute http(s) URL", issuerURL)
	}
	if audience == "" {
		return nil, errors.New("auth: dev issuer needs an audience")
	}
	return &DevIssuer{issuer: issuerURL, audience: audience}, nil
}

// Issuer returns the issuer URL that tokens carry in "iss".
func (d *DevIssuer) Issuer() string { return d.issuer }

// Rotate generates a new signing key; later tokens carry its kid, and the old
// keys stay published so tokens already issued keep verifying. A rotated key
// lives in memory only: the key file (LoadDevIssuer) keeps the first one.
func (d *DevIssuer) Rotate() error {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("auth: generate dev issuer key: %w", err)
	}
	return d.addKey(priv)
}

func (d *DevIssuer) addKey(priv *ecdsa.PrivateKey) error {
	pub, err := priv.PublicKey.Bytes()
	if err != nil {
		return fmt.Errorf("auth: encode dev issuer key: %w", err)
	}
	sum := sha256.Sum256(pub)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.keys = append(d.keys, devKey{kid: hex.EncodeToString(sum[:8]), priv: priv, pub: pub})
	return nil
}

// DevTokenLifetime is the longest lifetime of a demo token (the demo's token
// endpoint hands out tokens for a working day); a Verifier of the
// DevIssuer's tokens needs at least this MaxTokenLifetime.
const DevTokenLifetime = 12 * time.Hour

// Issue signs a token for citizenID (the "sub") valid for ttl, with the
// synthetic SNILS, OMS and birth date that SyntheticSNILS, SyntheticOMS and
// SyntheticBirthDate derive from it.
func (d *DevIssuer) Issue(citizenID string, ttl time.Duration) (string, error) {
	return d.IssueAt(citizenID, time.Now(), ttl)
}

// IssueAt is Issue as if asked at issuedAt: a token issued an hour ago for
// ten minutes is one that has expired, as tests of expiry need.
func (d *DevIssuer) IssueAt(citizenID string, issuedAt time.Time, ttl time.Duration) (string, error) {
	if citizenID == "" || ttl <= 0 {
		return "", errors.New("auth: dev issuer needs a citizen id and a positive ttl")
	}
	now := issuedAt
	return d.sign(jwt.MapClaims{
		"iss": d.issuer, "aud": d.audience, "sub": citizenID,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(ttl).Unix(),
		"jti":       rand.Text(),
		"snils":     SyntheticSNILS(citizenID),
		"oms":       SyntheticOMS(citizenID),
		"birthdate": SyntheticBirthDate(citizenID),
	})
}

// IssueOperator signs a token for a regional operator of region, valid
// for ttl, with the default operator claims (DefaultOperatorClaim,
// DefaultRegionClaim) and no citizen identifiers.
func (d *DevIssuer) IssueOperator(operatorID, region string, ttl time.Duration) (string, error) {
	if !ValidOperatorID(operatorID) || region == "" || ttl <= 0 {
		return "", errors.New("auth: dev issuer needs an operator id, a region and a positive ttl")
	}
	now := time.Now()
	return d.sign(jwt.MapClaims{
		"iss": d.issuer, "aud": d.audience, "sub": "operator:" + operatorID,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(ttl).Unix(),
		"jti":                rand.Text(),
		DefaultOperatorClaim: operatorID,
		DefaultRegionClaim:   region,
	})
}

// IssueAnalyst signs a token for a ministry analyst, valid for ttl, with
// the default analyst claim (DefaultAnalystClaim) and no citizen
// identifiers.
func (d *DevIssuer) IssueAnalyst(analystID string, ttl time.Duration) (string, error) {
	if !ValidOperatorID(analystID) || ttl <= 0 {
		return "", errors.New("auth: dev issuer needs an analyst id and a positive ttl")
	}
	now := time.Now()
	return d.sign(jwt.MapClaims{
		"iss": d.issuer, "aud": d.audience, "sub": "analyst:" + analystID,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(ttl).Unix(),
		"jti":               rand.Text(),
		DefaultAnalystClaim: analystID,
	})
}

// sign signs any claims with the current key; tests use it to forge bad ones.
func (d *DevIssuer) sign(claims jwt.Claims) (string, error) {
	d.mu.RLock()
	key := d.keys[len(d.keys)-1]
	d.mu.RUnlock()
	t := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	t.Header["kid"] = key.kid
	t.Header["typ"] = "at+jwt" // an access token, typed as RFC 9068 says
	s, err := t.SignedString(key.priv)
	if err != nil {
		return "", fmt.Errorf("auth: dev issuer sign: %w", err)
	}
	return s, nil
}

// SyntheticSNILS derives a fake but checksum-valid SNILS (11 digits) from a
// citizen id, the same every time: demo data, not anyone's real number.
func SyntheticSNILS(citizenID string) string {
	const lo, hi = snilsChecksumFloor + 1, 999_999_999
	n := lo + derive("snils", citizenID)%(hi-lo+1)
	number := fmt.Sprintf("%09d", n)
	return number + SNILSChecksum(number)
}

// SyntheticOMS derives a fake 16-digit OMS policy number from a citizen id,
// the same every time.
func SyntheticOMS(citizenID string) string {
	return fmt.Sprintf("%016d", derive("oms", citizenID)%10_000_000_000_000_000)
}

// SyntheticBirthDate derives a fake birth date (YYYY-MM-DD, 1940..2005)
// from a citizen id, the same every time.
func SyntheticBirthDate(citizenID string) string {
	const days = 66 * 365 // 1940-01-01 plus up to ~66 years
	return time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(derive("birthdate", citizenID)%days)).Format(time.DateOnly)
}

func derive(kind, citizenID string) uint64 {
	sum := sha256.Sum256([]byte(kind + ":" + citizenID))
	return binary.BigEndian.Uint64(sum[:8])
}

// publicJWKS renders every key as a JWK set.
func (d *DevIssuer) publicJWKS() map[string]any {
	d.mu.RLock()
	defer d.mu.RUnlock()
	keys := make([]map[string]string, 0, len(d.keys))
	for _, k := range d.keys {
		b := base64.RawURLEncoding
		x, y := k.pub[1:33], k.pub[33:65]
		keys = append(keys, map[string]string{
			"kty": "EC", "crv": "P-256", "use": "sig", "alg": algES256, "kid": k.kid,
			"x": b.EncodeToString(x), "y": b.EncodeToString(y),
		})
	}
	return map[string]any{"keys": keys}
}
