package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Middleware authenticates every request by its "Authorization: Bearer"
// header and serves it with the Citizen in the context (see CitizenFrom),
// or, for an operator's token, the Operator (OperatorFrom), for an
// analyst's the Analyst (AnalystFrom): which role an
// endpoint serves is for the endpoint to require (RequireRole).
// A missing or invalid token goes to onError with an error wrapping
// ErrUnauthenticated (or ErrKeysUnavailable when no token can be checked),
// and the next handler is not called. A nil onError answers 401 with a
// WWW-Authenticate challenge (503 for ErrKeysUnavailable).
func Middleware(v *Verifier, onError func(w http.ResponseWriter, r *http.Request, err error)) func(http.Handler) http.Handler {
	if onError == nil {
		onError = unauthorized
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, ok := bearerToken(r)
			if !ok {
				onError(w, r, fmt.Errorf("%w: missing bearer token", ErrUnauthenticated))
				return
			}
			p, err := v.VerifyPrincipal(r.Context(), token)
			if err != nil {
				onError(w, r, err)
				return
			}
			var ctx context.Context
			switch p.Role {
			case RoleOperator:
				ctx = WithOperator(r.Context(), p.Operator)
			case RoleAnalyst:
				ctx = WithAnalyst(r.Context(), p.Analyst)
			default:
				ctx = WithCitizen(r.Context(), p.Citizen)
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// bearerToken extracts the token; the scheme is case-insensitive (RFC 7235).
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// unauthorized is the default onError: a bare 401 whose body says nothing
// about why, as RFC 6750 allows, so probing reveals little — or a 503 when
// the issuer's keys are too old to check any token, which is not the
// caller's fault.
func unauthorized(w http.ResponseWriter, _ *http.Request, err error) {
	if errors.Is(err, ErrKeysUnavailable) {
		w.Header().Set("Retry-After", "30")
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("WWW-Authenticate", "Bearer")
	http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
}

// RequireRole serves only callers of role, after Middleware; anyone else
// goes to onError with ErrWrongRole (a 403: the token is good, the
// endpoint is not theirs).
func RequireRole(role Role, onError func(w http.ResponseWriter, r *http.Request, err error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if RoleFrom(r.Context()) != role {
				onError(w, r, fmt.Errorf("%w: %s endpoint", ErrWrongRole, role))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
