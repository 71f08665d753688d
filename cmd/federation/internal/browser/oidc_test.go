package browser

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/web"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/missim/fleet"
)

// testProvider is a small OpenID provider on loopback: discovery, the
// authorization endpoint (which signs "olga" in at once), the token
// endpoint (which checks the client and the PKCE verifier) and the keys,
// signed by the dev issuer's code.
type testProvider struct {
	t        *testing.T
	srv      *httptest.Server
	dev      *auth.DevIssuer
	mu       sync.Mutex
	codes    map[string]string // code -> S256 challenge
	methods  []string          // code_challenge_method of each authorization request
	redirect string
}

const (
	clientID     = "portal-web"
	clientSecret = "portal-secret"
)

func newTestProvider(t *testing.T) *testProvider {
	p := &testProvider{t: t, codes: map[string]string{}}
	mux := http.NewServeMux()
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	dev, err := auth.NewDevIssuer(p.srv.URL, "federation")
	if err != nil {
		t.Fatal(err)
	}
	p.dev = dev
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": p.srv.URL, "jwks_uri": p.srv.URL + "/jwks.json",
			"authorization_endpoint": p.srv.URL + "/authorize", "token_endpoint": p.srv.URL + "/token",
			"response_types_supported": []string{"code"}, "code_challenge_methods_supported": []string{"S256"}})
	})
	mux.Handle("GET /jwks.json", dev.Handler())
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	return p
}

func (p *testProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.methods = append(p.methods, q.Get("code_challenge_method"))
	p.mu.Unlock()
	if q.Get("response_type") != "code" || q.Get("client_id") != clientID || q.Get("redirect_uri") != p.redirect ||
		q.Get("code_challenge") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	code := "code-" + q.Get("state")[:8]
	p.mu.Lock()
	p.codes[code] = q.Get("code_challenge")
	p.mu.Unlock()
	http.Redirect(w, r, p.redirect+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
}

func (p *testProvider) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	p.mu.Lock()
	challenge, known := p.codes[r.PostFormValue("code")]
	delete(p.codes, r.PostFormValue("code")) // a code is good once
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	switch {
	case id != clientID || secret != clientSecret:
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	case !known || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge || r.PostFormValue("redirect_uri") != p.redirect:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
		return
	}
	token, err := p.dev.Issue("olga", 30*time.Minute)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": 1800})
}

// freeAddr is a loopback address free a moment ago: the broker's
// redirect URL must be known before it listens.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestACitizenSignsInThroughTheIssuersCodeFlowWithPKCE(t *testing.T) {
	p := newTestProvider(t)
	addr := freeAddr(t)
	p.redirect = "http://" + addr + "/signin/callback"
	sims, err := fleet.StartSimulators(fleet.Regions[1:2], 7, 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fleet.CloseAll(sims) })
	sys, err := system.Start(context.Background(), system.Options{
		Listen: addr, DataDir: t.TempDir(), Regions: fleet.RegistryConfigs(sims), Issuer: p.srv.URL, Audience: "federation",
		WebOIDC:      &web.OIDCConfig{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: p.redirect},
		WebPlainHTTP: true, PseudonymKey: bytes.Repeat([]byte{1}, 32), SealKey: bytes.Repeat([]byte{2}, 32),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sys.Close() })
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}

	body, final := fetch(t, c, sys.URL+"/signin")
	if !strings.Contains(body, `href="/signin/oidc"`) || strings.Contains(body, `name="citizen_id"`) {
		t.Fatal("with a real issuer the sign-in page should offer the issuer's sign-in, not the demo's form")
	}
	body, final = fetch(t, c, sys.URL+"/signin/oidc")
	if final.Path != "/search" || !strings.Contains(body, `action="/signout"`) {
		t.Fatalf("after the issuer's sign-in the browser is at %s, signed in: %v", final, strings.Contains(body, "/signout"))
	}
	if len(p.methods) != 1 || p.methods[0] != "S256" {
		t.Errorf("the authorization requests asked for code_challenge_method %v, want S256", p.methods)
	}
	if _, final = fetch(t, c, sys.URL+"/appointments"); final.Path != "/appointments" {
		t.Errorf("the session does not hold: /appointments went to %s", final)
	}

	t.Run("a callback whose state is not the session's is refused", func(t *testing.T) {
		resp, err := c.Get(sys.URL + "/signin/callback?code=code-forged&state=forged")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", resp.StatusCode)
		}
	})
	t.Run("a code exchanged without its verifier is refused by the issuer", func(t *testing.T) {
		p.mu.Lock()
		p.codes["code-stolen"] = "challenge-of-another"
		p.mu.Unlock()
		resp, err := http.PostForm(p.srv.URL+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {"code-stolen"},
			"redirect_uri": {p.redirect}, "client_id": {clientID}, "client_secret": {clientSecret}, "code_verifier": {"guess"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("the provider took a code without its verifier: %d", resp.StatusCode)
		}
	})
}

func fetch(t *testing.T, c *http.Client, u string) (string, *url.URL) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", u, resp.StatusCode)
	}
	return string(b), resp.Request.URL
}
