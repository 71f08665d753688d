package auth

import (
	"context"
	"encoding/json"
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
	policy   tokenPolicy
	pseudo   *Pseudonymizer
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
	// BirthDate is OIDC's standard claim (YYYY-MM-DD; OIDC also allows a
	// bare year or 0000-MM-DD, which no MIS can use: refused).
	BirthDate string `json:"birthdate,omitempty"`
	// Nonce is kept raw only to tell whether it is present: an ID token's
	// mark (see tokenPolicy).
	Nonce json.RawMessage `json:"nonce,omitempty"`

	// extra holds every claim by name, for the operator claims whose names
	// are configured (VerifierConfig.OperatorClaim, RegionClaim).
	extra map[string]json.RawMessage
}

// UnmarshalJSON reads the named claims and keeps all of them by name too.
func (c *tokenClaims) UnmarshalJSON(data []byte) error {
	type named tokenClaims // without this method
	if err := json.Unmarshal(data, (*named)(c)); err != nil {
		return err
	}
	return json.Unmarshal(data, &c.extra)
}

// NewVerifier validates cfg, discovers the issuer's key URL when JWKSURL is
// empty, and loads the keys once, so a wrong issuer or audience setup fails
// at start rather than on the first citizen; then it keeps them fresh in the
// background until Close. A nil logger discards.
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
	keys := newKeyCache(jwksURL, cfg, logger, m)
	if err := keys.start(ctx); err != nil {
		keys.close()
		return nil, fmt.Errorf("auth: load signing keys: %w", err)
	}
	return &Verifier{keys: keys, parser: newParser(cfg), policy: newTokenPolicy(cfg), pseudo: cfg.Pseudonyms, logger: logger, metrics: m,
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

// Close stops refreshing the keys in the background and waits for a fetch in
// flight to end. Verify keeps working on the keys it has until they pass
// MaxKeyAge. Close always returns nil.
func (v *Verifier) Close() error {
	v.keys.close()
	return nil
}

// Verify checks rawToken's signature (RS256 or ES256 with a key the issuer
// publishes), issuer, audience, exp, nbf and iat (with the configured
// leeway), requires iat and a non-empty sub, and validates the snils and oms
// claims when present. Every failure wraps ErrUnauthenticated with a reason
// that never contains the token — except when the keys are older than
// MaxKeyAge: then every token is refused with ErrKeysUnavailable.
//
// Verify never fetches keys on the caller's time: it reads the cache, and
// only a token naming an unknown key id waits, at most UnknownKeyWait, for
// a fetch.
//
// Verify accepts citizens' tokens only: an operator's or an analyst's is
// refused with ErrWrongRole (VerifyPrincipal accepts every role).
func (v *Verifier) Verify(ctx context.Context, rawToken string) (Citizen, error) {
	p, err := v.VerifyPrincipal(ctx, rawToken)
	if err != nil {
		return Citizen{}, err
	}
	if p.Role != RoleCitizen {
		return Citizen{}, fmt.Errorf("%w: an %s's token", ErrWrongRole, p.Role)
	}
	return p.Citizen, nil
}

// VerifyPrincipal checks rawToken as Verify does and returns whom it names:
// a citizen; or, when it carries the operator claim
// (VerifierConfig.OperatorClaim), an operator of the region its region
// claim names (both well formed, else ErrUnauthenticated); or, when it
// carries the analyst claim (VerifierConfig.AnalystClaim), an analyst.
func (v *Verifier) VerifyPrincipal(ctx context.Context, rawToken string) (Principal, error) {
	if v.keys.tooOld() {
		return Principal{}, v.refuse(ctx, reasonKeysTooOld)
	}
	if p, ok := v.verified.get(rawToken); ok {
		return p, nil
	}
	p, exp, r := v.verify(ctx, rawToken)
	if r.label != outcomeOK {
		return Principal{}, v.refuse(ctx, r)
	}
	v.metrics.verified(ctx, outcomeOK)
	v.verified.put(rawToken, p, exp)
	return p, nil
}

func (v *Verifier) refuse(ctx context.Context, r reason) error {
	v.metrics.verified(ctx, r.label)
	v.logger.DebugContext(ctx, "auth: token rejected", "reason", r.label)
	return fmt.Errorf("%w: %s", r.sentinel(), r.text)
}

func (v *Verifier) verify(ctx context.Context, rawToken string) (Principal, time.Time, reason) {
	if rawToken == "" || len(rawToken) > maxTokenBytes {
		return Principal{}, time.Time{}, reasonMalformed
	}
	var claims tokenClaims
	keyfunc := func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return v.keys.lookup(ctx, kid, t.Method.Alg())
	}
	tok, err := v.parser.ParseWithClaims(rawToken, &claims, keyfunc)
	if err != nil {
		return Principal{}, time.Time{}, classify(err)
	}
	if r := v.policy.check(tok.Header, &claims); r != reasonOK {
		return Principal{}, time.Time{}, r
	}
	if claims.IssuedAt == nil {
		return Principal{}, time.Time{}, reasonMissingClaim
	}
	if claims.Subject == "" {
		return Principal{}, time.Time{}, reasonNoSubject
	}
	an, isAnalyst, r := v.policy.analyst(claims.extra)
	switch {
	case r != reasonOK:
		return Principal{}, time.Time{}, r
	case isAnalyst:
		return Principal{Role: RoleAnalyst, Analyst: an}, claims.ExpiresAt.Time, reasonOK
	}
	op, isOperator, r := v.policy.operator(claims.extra)
	switch {
	case r != reasonOK:
		return Principal{}, time.Time{}, r
	case isOperator:
		return Principal{Role: RoleOperator, Operator: op}, claims.ExpiresAt.Time, reasonOK
	}
	c, r := claims.citizen()
	if r == reasonOK {
		c.subjectHash = v.pseudo.SubjectHash(c.Subject)
	}
	return Principal{Role: RoleCitizen, Citizen: c}, claims.ExpiresAt.Time, r
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
			return Citizen{}, reason{label: "bad_snils", text: "snils claim: " + err.Error()}
		}
	}
	if c.OMS != "" {
		if out.OMS, err = NormalizeOMS(c.OMS); err != nil {
			return Citizen{}, reason{label: "bad_oms", text: "oms claim: " + err.Error()}
		}
	}
	if c.BirthDate != "" {
		if d, err := time.Parse(time.DateOnly, c.BirthDate); err != nil || d.Year() < 1900 {
			return Citizen{}, reason{label: "bad_birthdate", text: "birthdate claim: want YYYY-MM-DD"}
		}
		out.BirthDate = c.BirthDate
	}
	return out, reasonOK
}

// reason is why a token was refused: label for metrics, text for the
// error, and the sentinel it wraps when not ErrUnauthenticated.
type reason struct {
	label, text string
	err         error
}

func (r reason) sentinel() error {
	if r.err != nil {
		return r.err
	}
	return ErrUnauthenticated
}

const outcomeOK = "ok"

var (
	reasonOK           = reason{label: outcomeOK}
	reasonMalformed    = reason{label: "malformed", text: "malformed token"}
	reasonMissingClaim = reason{label: "missing_claim", text: "token lacks a required claim (exp, iat, iss or aud)"}
	reasonNoSubject    = reason{label: "no_subject", text: "token has no subject"}
	reasonKeysTooOld   = reason{label: "keys_too_old", text: "the identity provider's keys could not be refreshed for too long", err: ErrKeysUnavailable}
)

// classified maps jwt's sentinel errors to fixed reasons. Only the fixed
// text is reported, never jwt's own message, so nothing from the token can
// leak into logs through the error.
var classified = []struct {
	err error
	r   reason
}{
	{errKeysTooOld, reasonKeysTooOld},
	{errUnknownKey, reason{label: "unknown_key", text: "token signed by an unknown key"}},
	{jwt.ErrTokenMalformed, reasonMalformed},
	{jwt.ErrTokenSignatureInvalid, reason{label: "bad_signature", text: "signature invalid or algorithm not allowed"}},
	{jwt.ErrTokenExpired, reason{label: "expired", text: "token expired"}},
	{jwt.ErrTokenNotValidYet, reason{label: "not_yet_valid", text: "token not valid yet"}},
	{jwt.ErrTokenUsedBeforeIssued, reason{label: "issued_in_future", text: "token issued in the future"}},
	{jwt.ErrTokenInvalidIssuer, reason{label: "wrong_issuer", text: "token from another issuer"}},
	{jwt.ErrTokenInvalidAudience, reason{label: "wrong_audience", text: "token meant for another audience"}},
	{jwt.ErrTokenRequiredClaimMissing, reasonMissingClaim},
}

func classify(err error) reason {
	for _, c := range classified {
		if errors.Is(err, c.err) {
			return c.r
		}
	}
	return reason{label: "invalid", text: "invalid token"}
}
