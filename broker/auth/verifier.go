package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// maxTokenBytes refuses absurd tokens before any parsing work; real ID and
// access tokens are a few kilobytes.
const maxTokenBytes = 16 << 10

// Verifier checks bearer tokens from one identity provider and turns them
// into Citizens. It is safe for concurrent use.
type Verifier struct {
	keys     *keyCache
	parser   *jwt.Parser
	logger   *slog.Logger
	metrics  *metrics
	verified *verifiedTokens
}

// tokenClaims are the claims read from a token. SNILS and OMS must be JSON
// strings: as numbers they could lose leading zeros.
type tokenClaims struct {
	jwt.RegisteredClaims
	SNILS string `json:"snils,omitempty"`
	OMS   string `json:"oms,omitempty"`
}

// NewVerifier validates cfg, discovers the issuer's key URL when JWKSURL is
// empty, and loads the keys once, so a wrong issuer or audience setup fails
// at start rather than on the first citizen. A nil logger discards.
func NewVerifier(ctx context.Context, cfg VerifierConfig, logger *slog.Logger) (*Verifier, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("auth: invalid verifier config: %w", err)
	}
	m, err := newMetrics(cfg.MeterProvider)
	if err != nil {
		return nil, fmt.Errorf("auth: create metrics: %w", err)
	}
	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		if jwksURL, err = discoverJWKSURL(ctx, cfg.HTTPClient, cfg.Issuer); err != nil {
			return nil, fmt.Errorf("auth: discover signing keys of %s: %w", cfg.Issuer, err)
		}
	}
	keys := &keyCache{
		url: jwksURL, client: cfg.HTTPClient, ttl: cfg.CacheTTL,
		refetchEvery: cfg.RefetchInterval, now: cfg.Now, logger: logger, metrics: m,
	}
	if err := keys.fetch(ctx); err != nil {
		return nil, fmt.Errorf("auth: load signing keys: %w", err)
	}
	return &Verifier{keys: keys, parser: newParser(cfg), logger: logger, metrics: m,
		verified: newVerifiedTokens(verifiedTokensMax, verifiedTokensTTL, cfg.Now)}, nil
}

func newParser(cfg VerifierConfig) *jwt.Parser {
	return jwt.NewParser(
		jwt.WithValidMethods(allowedAlgs),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(cfg.Now),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithStrictDecoding(),
	)
}

// Verify checks rawToken's signature (RS256 or ES256 with a key the issuer
// publishes), issuer, audience, exp, nbf and iat (with the configured
// leeway), requires iat and a non-empty sub, and validates the snils and oms
// claims when present. Every failure wraps ErrUnauthenticated with a reason
// that never contains the token.
func (v *Verifier) Verify(ctx context.Context, rawToken string) (Citizen, error) {
	if c, ok := v.verified.get(rawToken); ok {
		return c, nil
	}
	c, exp, r := v.verify(ctx, rawToken)
	v.metrics.verified(ctx, r.label)
	if r.label != outcomeOK {
		v.logger.DebugContext(ctx, "auth: token rejected", "reason", r.label)
		return Citizen{}, fmt.Errorf("%w: %s", ErrUnauthenticated, r.text)
	}
	v.verified.put(rawToken, c, exp)
	return c, nil
}

func (v *Verifier) verify(ctx context.Context, rawToken string) (Citizen, time.Time, reason) {
	if rawToken == "" || len(rawToken) > maxTokenBytes {
		return Citizen{}, time.Time{}, reasonMalformed
	}
	var claims tokenClaims
	keyfunc := func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return v.keys.lookup(ctx, kid, t.Method.Alg())
	}
	if _, err := v.parser.ParseWithClaims(rawToken, &claims, keyfunc); err != nil {
		return Citizen{}, time.Time{}, classify(err)
	}
	c, r := claims.citizen()
	return c, claims.ExpiresAt.Time, r
}

// citizen applies the checks jwt's validator does not: iat and sub must be
// present, and the identifier claims must be well formed.
func (c tokenClaims) citizen() (Citizen, reason) {
	if c.IssuedAt == nil {
		return Citizen{}, reasonMissingClaim
	}
	if c.Subject == "" {
		return Citizen{}, reasonNoSubject
	}
	out := Citizen{Subject: c.Subject}
	var err error
	if c.SNILS != "" {
		if out.SNILS, err = NormalizeSNILS(c.SNILS); err != nil {
			return Citizen{}, reason{"bad_snils", "snils claim: " + err.Error()}
		}
	}
	if c.OMS != "" {
		if out.OMS, err = NormalizeOMS(c.OMS); err != nil {
			return Citizen{}, reason{"bad_oms", "oms claim: " + err.Error()}
		}
	}
	return out, reasonOK
}

// reason is why a token was refused: label for metrics, text for the error.
type reason struct{ label, text string }

const outcomeOK = "ok"

var (
	reasonOK           = reason{outcomeOK, ""}
	reasonMalformed    = reason{"malformed", "malformed token"}
	reasonMissingClaim = reason{"missing_claim", "token lacks a required claim (exp, iat, iss or aud)"}
	reasonNoSubject    = reason{"no_subject", "token has no subject"}
)

// classified maps jwt's sentinel errors to fixed reasons. Only the fixed
// text is reported, never jwt's own message, so nothing from the token can
// leak into logs through the error.
var classified = []struct {
	err error
	r   reason
}{
	{errUnknownKey, reason{"unknown_key", "token signed by an unknown key"}},
	{jwt.ErrTokenMalformed, reasonMalformed},
	{jwt.ErrTokenSignatureInvalid, reason{"bad_signature", "signature invalid or algorithm not allowed"}},
	{jwt.ErrTokenExpired, reason{"expired", "token expired"}},
	{jwt.ErrTokenNotValidYet, reason{"not_yet_valid", "token not valid yet"}},
	{jwt.ErrTokenUsedBeforeIssued, reason{"issued_in_future", "token issued in the future"}},
	{jwt.ErrTokenInvalidIssuer, reason{"wrong_issuer", "token from another issuer"}},
	{jwt.ErrTokenInvalidAudience, reason{"wrong_audience", "token meant for another audience"}},
	{jwt.ErrTokenRequiredClaimMissing, reasonMissingClaim},
}

func classify(err error) reason {
	for _, c := range classified {
		if errors.Is(err, c.err) {
			return c.r
		}
	}
	return reason{"invalid", "invalid token"}
}
