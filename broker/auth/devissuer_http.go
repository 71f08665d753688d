package auth

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Handler serves the DEMO-ONLY issuer's "/.well-known/openid-configuration"
// and "/jwks.json". Paths are matched by suffix, so it works whether it is
// mounted with http.StripPrefix or directly under the issuer path.
func (d *DevIssuer) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			writeJSON(w, d.discovery())
		case strings.HasSuffix(r.URL.Path, "/jwks.json"):
			writeJSON(w, d.publicJWKS())
		default:
			http.NotFound(w, r)
		}
	})
}

func (d *DevIssuer) discovery() map[string]any {
	return map[string]any{
		"issuer":                                d.issuer,
		"jwks_uri":                              d.issuer + "/jwks.json",
		"id_token_signing_alg_values_supported": []string{algES256},
		"subject_types_supported":               []string{"public"},
		"response_types_supported":              []string{"id_token"},
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	// Short caching mirrors real issuers and keeps rotation visible quickly.
	w.Header().Set("Cache-Control", "max-age=60")
	_ = json.NewEncoder(w).Encode(v)
}
