// Package auth owns identity for the federal API — citizens, and the
// regional operators who confirm the bookings of feed regions — and the
// keyed protection of personal identifiers.
//
// A citizen is known only by the signed bearer token that the identity
// provider (ESIA in the Russian setting, any OIDC issuer here) issued, never
// by an identifier in a request body. Verifier checks such tokens against the
// issuer's published keys and yields a Citizen; Middleware does that for every
// HTTP request and puts the Citizen into the request context.
//
// # What counts as an access token
//
// The identity provider signs ID tokens (for the portal, the relying party)
// and access tokens (for this API) with the same keys, so a signature alone
// does not say which one a request carries. Verifier accepts a token only
// when all of these hold, beyond signature, issuer (compared byte for byte),
// audience and times:
//
//   - its lifetime, exp - iat, is at most MaxTokenLifetime (default 1 h);
//   - with RequireAccessTokenType, its JOSE "typ" is "at+jwt" (RFC 9068),
//     which ID tokens never carry: use it whenever the issuer types its
//     access tokens;
//   - otherwise (the default) its "typ" is absent, "JWT" or "at+jwt", and it
//     does not look like an ID token: no "nonce" claim (an ID token carries
//     the nonce its client sent) and no "aud" naming one of
//     IDTokenAudiences (the client ids of the portal's apps). "azp" is not
//     used: access tokens commonly carry azp = the client that asked for
//     them, exactly as ID tokens do, so it cannot tell the two apart.
//
// # Keys
//
// The issuer's keys are fetched at start and then refreshed in the
// background; a verification never waits for the identity provider, except
// briefly (UnknownKeyWait) for a token naming a key id not yet seen. Keys
// that could not be refreshed for MaxKeyAge are no longer trusted:
// ErrKeysUnavailable (503) until the issuer answers again. Discovery and key
// fetches refuse redirects.
//
// # Identifiers
//
// SNILS and OMS policy numbers travel in the token's claims, are validated
// here (format and checksum) and must never be logged: Citizen's String and
// LogValue print only a short keyed hash of the subject. Pseudonymizer turns
// identifiers into keyed pseudonyms for storage; Sealer encrypts the few
// identifiers a saga must still hand to a regional MIS, bound to their
// booking, under a key id so that keys rotate without draining.
//
// # Operators
//
// A token that carries the operator claim (VerifierConfig.OperatorClaim;
// none by default, so operators are off unless configured; the dev issuer
// signs "operator_id") is an operator's, for the one region its region
// claim (RegionClaim, default "region") names, unless it carries a
// citizen's identifier claim too (refused); VerifyPrincipal returns a
// Principal with the role, and Middleware puts either the Citizen or the
// Operator into the context. Endpoints require their role (RequireRole):
// the other role's token is refused with ErrWrongRole (403).
//
// DevIssuer is a toy identity provider for demo mode and tests only; with a
// key file (LoadDevIssuer) its tokens survive a restart.
package auth

import "github.com/fedhealth/federation/contracts"

// ErrUnauthenticated is returned (wrapped with the reason) when a request
// carries no usable proof of identity: no bearer token, or a token that is
// malformed, unsigned, signed by an unknown key, expired, meant for another
// audience or issuer, or carrying invalid identifier claims. The reason never
// contains the token itself. The HTTP layer maps it to 401. Its kind is
// contracts.KindInvalid: the same request cannot succeed.
var ErrUnauthenticated = contracts.NewError(contracts.KindInvalid, "unauthenticated")

// ErrKeysUnavailable is returned when the issuer's signing keys have not
// been refreshed for longer than VerifierConfig.MaxKeyAge (the identity
// provider is down or unreachable), so no token can be trusted. Its kind is
// contracts.KindUnavailable: the HTTP layer answers 503, since the same
// token may well verify once the keys are fresh again.
var ErrKeysUnavailable = contracts.NewError(contracts.KindUnavailable, "identity provider's signing keys unavailable")
