package auth

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDevIssuersFromOneKeyFileVerifyEachOthersTokens(t *testing.T) {
	const issuerURL = "http://127.0.0.1:1/idp" // a name only: keys are served below
	path := filepath.Join(t.TempDir(), "dev-issuer.key")
	first, err := LoadDevIssuer(issuerURL, testAudience, path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no key file written: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode %#o, want 0600", perm)
	}
	tok, err := first.Issue("esia-oid-1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	// "Restart": a second issuer from the same file serves the keys.
	second, err := LoadDevIssuer(issuerURL, testAudience, path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(second.Handler())
	t.Cleanup(srv.Close)
	v, err := NewVerifier(context.Background(), VerifierConfig{Issuer: issuerURL, Audience: testAudience, Pseudonyms: testPseudonyms,
		JWKSURL: srv.URL + "/jwks.json"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	if c, err := v.Verify(context.Background(), tok); err != nil || c.Subject != "esia-oid-1" {
		t.Fatalf("token of the first issuer against the second's keys: %v, %v", c, err)
	}
	again, err := second.Issue("esia-oid-2", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), again); err != nil {
		t.Fatalf("token of the second issuer: %v", err)
	}
}

func TestDevIssuerRefusesABadKeyFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.key")
	if _, err := LoadDevIssuer("http://127.0.0.1/idp", testAudience, good); err != nil {
		t.Fatal(err)
	}
	pemBytes, _ := os.ReadFile(good)
	write := func(name string, data []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path, want string
	}{
		{"a key file others may read is refused", write("open.key", pemBytes, 0o644), "read by others"},
		{"a file without a PEM key is refused", write("garbage.key", []byte("not a key"), 0o600), "no \"PRIVATE KEY\""},
		{"a truncated key is refused", write("short.key", pemBytes[:len(pemBytes)/2], 0o600), "no \"PRIVATE KEY\""},
		{"a directory in the way is refused", dir, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadDevIssuer("http://127.0.0.1/idp", testAudience, tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadDevIssuer = %v, want an error about %q", err, tt.want)
			}
		})
	}
}
