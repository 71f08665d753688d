package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/fedhealth/federation/broker/auth"
)

// OIDCConfig is the pages' client at a real OpenID Connect issuer (the
// keys web.oidc.* of the configuration).
type OIDCConfig struct {
	// Issuer is the same issuer URL the API's verifier trusts.
	Issuer string
	// ClientID and ClientSecret are the pages' client at the issuer.
	ClientID, ClientSecret string
	// RedirectURL is this server's /signin/callback as the issuer knows it.
	RedirectURL string
	// Scopes asked for; default "openid".
	Scopes []string
	// HTTPClient talks to the issuer; default a client with a 10 s
	// timeout that follows no redirect.
	HTTPClient *http.Client
}

// OIDC is a discovered issuer the pages sign citizens in with: the
// authorization-code flow with PKCE (S256), golang.org/x/oauth2's.
type OIDC struct {
	oauth  oauth2.Config
	client *http.Client
}

// DiscoverOIDC reads the issuer's /.well-known/openid-configuration and
// checks it names the issuer configured, byte for byte.
func DiscoverOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("web: oidc issuer, client_id and redirect_url are required")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"openid"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.Issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		return nil, fmt.Errorf("web: oidc discovery: %w", err)
	}
	resp, err := cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("web: oidc discovery: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("web: oidc discovery: status %d", resp.StatusCode)
	}
	var doc struct {
		Issuer                string `json:"issuer"`
		AuthorizationEndpoint string `json:"authorization_endpoint"`
		TokenEndpoint         string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("web: oidc discovery: %w", err)
	}
	switch {
	case doc.Issuer != cfg.Issuer:
		return nil, errors.New("web: oidc discovery names another issuer")
	case doc.AuthorizationEndpoint == "" || doc.TokenEndpoint == "":
		return nil, errors.New("web: oidc discovery lacks the authorization or token endpoint")
	}
	return &OIDC{client: cfg.HTTPClient, oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: cfg.RedirectURL, Scopes: cfg.Scopes,
		Endpoint: oauth2.Endpoint{AuthURL: doc.AuthorizationEndpoint, TokenURL: doc.TokenEndpoint}}}, nil
}

var errOIDCState = fmt.Errorf("%w: the sign-in's state does not match", auth.ErrUnauthenticated)

// oidcStart sends the browser to the issuer, with a fresh state (against
// a forged callback) and PKCE verifier kept in the session.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	if s.cfg.OIDC == nil {
		s.fail(w, r, errNotFound)
		return
	}
	state, verifier := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	s.sessions.Put(r.Context(), keyOIDCState, state)
	s.sessions.Put(r.Context(), keyOIDCVerifier, verifier)
	http.Redirect(w, r, s.cfg.OIDC.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), http.StatusSeeOther)
}

// oidcCallback takes the issuer's code, exchanges it (with the PKCE
// verifier) for the access token, verifies that as the API does and
// signs the session in until the token expires.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if s.cfg.OIDC == nil {
		s.fail(w, r, errNotFound)
		return
	}
	ctx := r.Context()
	state, verifier := s.sessions.PopString(ctx, keyOIDCState), s.sessions.PopString(ctx, keyOIDCVerifier)
	q := r.URL.Query()
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(q.Get("state"))) != 1 || q.Get("code") == "" {
		s.fail(w, r, errOIDCState)
		return
	}
	tok, err := s.cfg.OIDC.oauth.Exchange(context.WithValue(ctx, oauth2.HTTPClient, s.cfg.OIDC.client),
		q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		s.cfg.Logger.Warn("web: oidc code exchange failed", "err", err)
		s.fail(w, r, fmt.Errorf("%w: the code exchange failed", auth.ErrUnauthenticated))
		return
	}
	p, err := s.cfg.Verifier.VerifyPrincipal(ctx, tok.AccessToken)
	if err == nil {
		expires := tok.Expiry
		if expires.IsZero() {
			expires = time.Now().Add(time.Hour)
		}
		err = s.signIn(ctx, tok.AccessToken, expires)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := "/search"
	switch p.Role {
	case auth.RoleOperator:
		next = "/operator"
	case auth.RoleAnalyst: // a token with the configured analyst claim
		next = "/analytics"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
