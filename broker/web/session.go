package web

import (
	"context"
	"crypto/rand"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"

	"github.com/fedhealth/federation/broker/auth"
)

// Session keys. The token is the bearer token the identity provider (or
// the demo's issuer) signed; the session keeps it server-side, the
// browser only the session's random id.
const (
	keyToken        = "token"
	keyCSRF         = "csrf"
	keyOIDCState    = "oidc_state"
	keyOIDCVerifier = "oidc_verifier"
)

// newSessions is the sessions' manager (alexedwards/scs: random ids,
// expiry, renewal on sign-in). The cookie is HttpOnly, SameSite=Lax
// (a link from elsewhere still arrives signed in; a cross-site POST does
// not carry it), Path=/ and Secure unless plainHTTP (the demo on
// loopback). store keeps the sessions: the shared database's
// (SessionStore) for instances behind a balancer; nil is this process's
// memory, for one instance alone.
func newSessions(store scs.Store, plainHTTP bool, idle time.Duration) *scs.SessionManager {
	sm := scs.New()
	sm.Store = store
	if store == nil {
		sm.Store = memstore.NewWithCleanupInterval(time.Minute)
	}
	sm.Lifetime = auth.DevTokenLifetime // capped by the token's own expiry at sign-in
	sm.IdleTimeout = idle
	sm.Cookie.Name = "session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.Secure = !plainHTTP
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false // gone with the browser
	return sm
}

// csrfToken is the session's CSRF token, made on first use.
func (s *Server) csrfToken(ctx context.Context) string {
	if t := s.sessions.GetString(ctx, keyCSRF); t != "" {
		return t
	}
	t := rand.Text()
	s.sessions.Put(ctx, keyCSRF, t)
	return t
}

// signIn starts a signed-in session with token, valid until expires: a
// new session id (no fixation of one an attacker planted) and a new CSRF
// token.
func (s *Server) signIn(ctx context.Context, token string, expires time.Time) error {
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, keyToken, token)
	s.sessions.Put(ctx, keyCSRF, rand.Text())
	s.sessions.SetDeadline(ctx, expires)
	return nil
}

// principal is whom the session's token names, verified on each request
// (auth.Verifier caches the verdict until the token expires); false when
// signed out or the token no longer holds, which also ends the session.
func (s *Server) principal(r *http.Request) (auth.Principal, bool) {
	token := s.sessions.GetString(r.Context(), keyToken)
	if token == "" {
		return auth.Principal{}, false
	}
	p, err := s.cfg.Verifier.VerifyPrincipal(r.Context(), token)
	if err != nil {
		s.sessions.Remove(r.Context(), keyToken)
		return auth.Principal{}, false
	}
	return p, true
}
