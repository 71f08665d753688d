package auth

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

const testAudience = "federal-portal"

// testIssuer is a DevIssuer served over real HTTP on loopback, counting how
// often its keys are fetched.
type testIssuer struct {
	*DevIssuer
	server      *httptest.Server
	jwksFetches atomic.Int64
}

func startIssuer(t testing.TB) *testIssuer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dev, err := NewDevIssuer("http://"+ln.Addr().String()+"/idp", testAudience)
	if err != nil {
		t.Fatal(err)
	}
	ti := &testIssuer{DevIssuer: dev}
	mux := http.NewServeMux()
	mux.Handle("/idp/", http.StripPrefix("/idp", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/jwks.json" {
			ti.jwksFetches.Add(1)
		}
		dev.Handler().ServeHTTP(w, r)
	})))
	ti.server = httptest.NewUnstartedServer(mux)
	ti.server.Listener.Close()
	ti.server.Listener = ln
	ti.server.Start()
	t.Cleanup(ti.server.Close)
	return ti
}

func newTestVerifier(t testing.TB, ti *testIssuer, tweak func(*VerifierConfig)) *Verifier {
	t.Helper()
	cfg := VerifierConfig{Issuer: ti.Issuer(), Audience: testAudience, Pseudonyms: testPseudonyms}
	if tweak != nil {
		tweak(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := NewVerifier(ctx, cfg, nil)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

func mustIssue(t testing.TB, d *DevIssuer, sub string) string {
	t.Helper()
	tok, err := d.Issue(sub, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// eventually polls cond until it holds or 5 s have passed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testPseudonyms keys the verifiers' subject hashes in tests.
var testPseudonyms = func() *Pseudonymizer {
	p, err := NewPseudonymizer(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		panic(err)
	}
	return p
}()
