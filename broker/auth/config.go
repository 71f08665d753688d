package auth

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"go.opentelemetry.io/otel/metric"
)

// VerifierConfig configures a Verifier. Issuer and Audience are required;
// everything else has a default.
type VerifierConfig struct {
	// Issuer is the identity provider's issuer URL. The token's "iss" claim
	// and the discovery document's "issuer" must equal it byte for byte: no
	// trailing slash is trimmed and no case is folded, because issuers that
	// differ only so are different issuers to every other OIDC party (OpenID
	// Connect Discovery §4.3, RFC 9207). It must be https, except on a
	// loopback host (localhost, 127.0.0.0/8, ::1) where http is allowed for
	// demos and tests.
	Issuer string
	// Audience is this API's client id at the identity provider; the token's
	// "aud" must contain it, so a token minted for another service is refused.
	Audience string
	// Pseudonyms keys the short subject hash a verified Citizen prints in
	// logs (Pseudonymizer.SubjectHash). Required.
	Pseudonyms *Pseudonymizer
	// JWKSURL is where the issuer publishes its signing keys. Empty means
	// discover it from {Issuer}/.well-known/openid-configuration.
	JWKSURL string
	// HTTPClient fetches discovery and keys. Nil means a client with a 10 s
	// timeout. Either way redirects are refused (the client is copied with
	// its CheckRedirect replaced): keys must come from the URL configured or
	// discovered, not from wherever a compromised or misrouted answer points.
	HTTPClient *http.Client
	// CacheTTL is how long fetched keys count as fresh. A background
	// refresher fetches them again when 3/4 of it has passed, and after a
	// failure retries with backoff while the previous keys stay in use;
	// verifications never wait for it. Default 10 minutes.
	CacheTTL time.Duration
	// MaxKeyAge is how long keys may go without a successful refresh before
	// every token is refused with ErrKeysUnavailable (a 503, not a 401: the
	// citizen's token is not at fault), rather than trusting keys the issuer
	// may have revoked long ago. At least CacheTTL. Default 24 hours.
	MaxKeyAge time.Duration
	// RefetchInterval is the least time between two fetches of the keys
	// caused by tokens with an unknown key id, so that forged key ids cannot
	// make us hammer the identity provider. Default 30 s.
	RefetchInterval time.Duration
	// UnknownKeyWait is the longest a verification waits for a fetch when
	// its token names a key id the cached set does not have (a fetch already
	// running, or a new one allowed by RefetchInterval); the fetch itself
	// goes on in the background. Default 1 s.
	UnknownKeyWait time.Duration
	// MaxTokenLifetime caps a token's exp - iat (iat is required): a token
	// minted to live longer is refused, so that a leaked or mis-issued one
	// cannot be replayed for days. Default 1 hour.
	MaxTokenLifetime time.Duration
	// RequireAccessTokenType, when true, accepts only tokens whose JOSE
	// header "typ" is "at+jwt" (RFC 9068 §2.1; "application/at+jwt" too),
	// which an ID token never carries. When false (the default, for issuers
	// that do not type their access tokens), a token is refused as an ID
	// token when its "typ" is anything but absent, "JWT" or "at+jwt", when
	// it carries a "nonce" claim, or when its "aud" names one of
	// IDTokenAudiences. See the package documentation.
	RequireAccessTokenType bool
	// IDTokenAudiences are the client ids of the relying parties (the
	// portal's web and mobile apps) whose ID tokens name them in "aud": a
	// token whose "aud" contains one is refused, even if it also names
	// Audience. Optional.
	IDTokenAudiences []string
	// OperatorClaim names the claim that makes a token an operator's (its
	// value the operator's id); RegionClaim the claim holding the one
	// region the operator works (default DefaultRegionClaim). Empty
	// OperatorClaim turns operators off: every token is a citizen's, so a
	// real issuer whose tokens happen to carry a claim of that name makes
	// no operators unless one is configured on purpose. The dev issuer's
	// caller sets DefaultOperatorClaim, which it signs.
	OperatorClaim string
	RegionClaim   string
	// AnalystClaim names the claim that makes a token a ministry analyst's
	// (its value the analyst's id). Empty turns analysts off, for the same
	// reason as OperatorClaim; the dev issuer's caller sets
	// DefaultAnalystClaim, which it signs.
	AnalystClaim string
	// Leeway is the clock skew tolerated on exp, nbf and iat. Default 30 s.
	Leeway time.Duration
	// Now is the clock; nil means time.Now. Tests inject one.
	Now func() time.Time
	// MeterProvider records verification outcomes and key fetches; nil means
	// the otel global one.
	MeterProvider metric.MeterProvider
}

const (
	defaultCacheTTL        = 10 * time.Minute
	defaultMaxKeyAge       = 24 * time.Hour
	defaultRefetchInterval = 30 * time.Second
	defaultUnknownKeyWait  = time.Second
	defaultLeeway          = 30 * time.Second
	defaultMaxLifetime     = time.Hour
	defaultHTTPTimeout     = 10 * time.Second
)

func (c *VerifierConfig) setDefaults() {
	c.HTTPClient = noRedirects(c.HTTPClient)
	if c.CacheTTL == 0 {
		c.CacheTTL = defaultCacheTTL
	}
	if c.MaxKeyAge == 0 {
		c.MaxKeyAge = defaultMaxKeyAge
	}
	if c.RefetchInterval == 0 {
		c.RefetchInterval = defaultRefetchInterval
	}
	if c.UnknownKeyWait == 0 {
		c.UnknownKeyWait = defaultUnknownKeyWait
	}
	if c.Leeway == 0 {
		c.Leeway = defaultLeeway
	}
	if c.MaxTokenLifetime == 0 {
		c.MaxTokenLifetime = defaultMaxLifetime
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.OperatorClaim != "" && c.RegionClaim == "" {
		c.RegionClaim = DefaultRegionClaim
	}
}

// Validate reports the first configuration mistake.
func (c *VerifierConfig) Validate() error {
	if err := checkTrustedURL("issuer", c.Issuer); err != nil {
		return err
	}
	if c.Audience == "" {
		return errors.New("audience is required")
	}
	if c.Pseudonyms == nil {
		return errors.New("a pseudonymizer (for the citizen's log hash) is required")
	}
	if slices.Contains(c.IDTokenAudiences, c.Audience) {
		return fmt.Errorf("audience %q is also listed as an ID-token audience: every token would be refused", c.Audience)
	}
	if c.JWKSURL != "" {
		if err := checkTrustedURL("JWKS URL", c.JWKSURL); err != nil {
			return err
		}
	}
	if c.CacheTTL < 0 || c.MaxKeyAge < 0 || c.RefetchInterval < 0 || c.UnknownKeyWait < 0 || c.Leeway < 0 || c.MaxTokenLifetime < 0 {
		return errors.New("durations must not be negative")
	}
	if c.OperatorClaim == "" && c.RegionClaim != "" {
		return fmt.Errorf("region claim %q is set without an operator claim: set both to accept operator tokens", c.RegionClaim)
	}
	if c.OperatorClaim != "" && (c.OperatorClaim == c.RegionClaim || reservedClaims[c.OperatorClaim] || reservedClaims[c.RegionClaim]) {
		return fmt.Errorf("operator claim %q and region claim %q must differ and not be a registered or identifier claim", c.OperatorClaim, c.RegionClaim)
	}
	if c.AnalystClaim != "" && (reservedClaims[c.AnalystClaim] || c.AnalystClaim == c.OperatorClaim || c.AnalystClaim == c.RegionClaim) {
		return fmt.Errorf("analyst claim %q must differ from the operator and region claims and not be a registered or identifier claim", c.AnalystClaim)
	}
	if c.MaxKeyAge < c.CacheTTL {
		return fmt.Errorf("maximum key age %s is shorter than the cache TTL %s", c.MaxKeyAge, c.CacheTTL)
	}
	return nil
}

// reservedClaims may not be configured as operator claims: every token
// carries some of them, so each would make citizens operators.
var reservedClaims = map[string]bool{"iss": true, "sub": true, "aud": true, "exp": true, "nbf": true, "iat": true,
	"jti": true, "nonce": true, "snils": true, "oms": true, "birthdate": true}

// noRedirects returns a copy of client (or of a default one with a 10 s
// timeout) that hands a redirect back as the response, which fetchDocument
// then refuses as a non-200 answer.
func noRedirects(client *http.Client) *http.Client {
	c := http.Client{Timeout: defaultHTTPTimeout}
	if client != nil {
		c = *client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// checkTrustedURL accepts https URLs, and http URLs only on a loopback host:
// keys fetched over plain http from elsewhere could be swapped in transit.
func checkTrustedURL(what, raw string) error {
	if raw == "" {
		return fmt.Errorf("%s is required", what)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%s %q is not an absolute URL", what, raw)
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%s %q must use https (http only on loopback)", what, raw)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
