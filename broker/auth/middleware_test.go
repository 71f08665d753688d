package auth

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMiddleware(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, nil)
	var gotErr error
	onError := func(w http.ResponseWriter, _ *http.Request, err error) {
		gotErr = err
		http.Error(w, "who are you?", http.StatusUnauthorized)
	}
	api := httptest.NewServer(Middleware(v, onError)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := CitizenFrom(r.Context())
		if !ok {
			t.Error("handler reached without a citizen")
		}
		_, _ = io.WriteString(w, c.Subject)
	})))
	t.Cleanup(api.Close)

	tests := []struct {
		name     string
		header   string
		status   int
		body     string
		unauthed bool
	}{
		{"a valid bearer token reaches the handler as a citizen", "Bearer " + mustIssue(t, ti.DevIssuer, "esia-oid-42"), 200, "esia-oid-42", false},
		{"the scheme is case-insensitive", "bearer " + mustIssue(t, ti.DevIssuer, "esia-oid-43"), 200, "esia-oid-43", false},
		{"a missing header goes to onError", "", 401, "who are you?\n", true},
		{"another scheme goes to onError", "Basic dXNlcjpwYXNz", 401, "who are you?\n", true},
		{"an invalid token goes to onError", "Bearer " + tamper(t, mustIssue(t, ti.DevIssuer, "esia-oid-44")), 401, "who are you?\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotErr = nil
			req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || string(body) != tt.body {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tt.status, tt.body)
			}
			if tt.unauthed != errors.Is(gotErr, ErrUnauthenticated) {
				t.Fatalf("onError got %v, want ErrUnauthenticated: %v", gotErr, tt.unauthed)
			}
		})
	}
}

func TestMiddlewareDefaultsToAPlain401(t *testing.T) {
	ti := startIssuer(t)
	h := Middleware(newTestVerifier(t, ti, nil), nil)(http.NotFoundHandler())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/bookings", nil))
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != "Bearer" {
		t.Fatalf("got %d with challenge %q, want 401 Bearer", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
}
