package auth

import (
	"slices"
	"strings"
	"time"
)

// tokenPolicy holds the checks that tell an access token for this API from
// other signed tokens of the same issuer, which jwt's validator does not
// know about: the lifetime cap and the ID-token rule (see the package
// documentation and VerifierConfig.RequireAccessTokenType).
type tokenPolicy struct {
	maxLifetime      time.Duration
	requireTyped     bool
	idTokenAudiences []string
	// operatorClaim and regionClaim name the claims of an operator token.
	operatorClaim, regionClaim string
	// analystClaim names the claim of an analyst token.
	analystClaim string
}

func newTokenPolicy(cfg VerifierConfig) tokenPolicy {
	return tokenPolicy{maxLifetime: cfg.MaxTokenLifetime, requireTyped: cfg.RequireAccessTokenType,
		idTokenAudiences: slices.Clone(cfg.IDTokenAudiences),
		operatorClaim:    cfg.OperatorClaim, regionClaim: cfg.RegionClaim, analystClaim: cfg.AnalystClaim}
}

var (
	reasonTooLong   = reason{label: "lifetime_too_long", text: "token lifetime exceeds the maximum"}
	reasonUntyped   = reason{label: "not_access_token", text: "token is not typed as an access token (typ at+jwt required)"}
	reasonOtherType = reason{label: "not_access_token", text: "token is of another type than an access token"}
	reasonIDToken   = reason{label: "id_token", text: "an ID token is not an access token"}
)

// check runs on a token whose signature and registered claims already
// passed, so its header is the issuer's own.
func (p tokenPolicy) check(header map[string]any, c *tokenClaims) reason {
	if c.IssuedAt == nil || c.ExpiresAt == nil {
		return reasonMissingClaim
	}
	if c.ExpiresAt.Sub(c.IssuedAt.Time) > p.maxLifetime {
		return reasonTooLong
	}
	typ, typed := header["typ"].(string)
	_, hasTyp := header["typ"]
	if hasTyp && !typed {
		return reasonMalformed
	}
	switch {
	case isAccessTokenType(typ):
		// RFC 9068 typed: an ID token never carries this type, but a nonce
		// still has no business in it.
	case p.requireTyped:
		return reasonUntyped
	case hasTyp && !isPlainJWTType(typ):
		return reasonOtherType // another kind of JWT: a logout token, "id_token+jwt", …
	}
	if len(c.Nonce) > 0 {
		return reasonIDToken
	}
	for _, aud := range c.Audience {
		if slices.Contains(p.idTokenAudiences, aud) {
			return reasonIDToken
		}
	}
	return reasonOK
}

// isAccessTokenType: media type names are case-insensitive, and RFC 9068
// §2.1 allows the "application/" prefix to be omitted (RFC 7515 §4.1.9).
func isAccessTokenType(typ string) bool {
	return strings.EqualFold(typ, "at+jwt") || strings.EqualFold(typ, "application/at+jwt")
}

func isPlainJWTType(typ string) bool {
	return strings.EqualFold(typ, "JWT") || strings.EqualFold(typ, "application/jwt")
}
