package system_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions"
)

func TestMetricsAreServedOnlyOnTheInternalListener(t *testing.T) {
	h := newHarness(t, 1, nil)
	if h.sys.InternalURL == "" || h.sys.InternalURL == h.sys.URL {
		t.Fatalf("internal URL %q, API %q: want a listener of its own", h.sys.InternalURL, h.sys.URL)
	}
	resp, err := http.Get(h.sys.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var pr struct{ Status int }
	err = json.NewDecoder(resp.Body).Decode(&pr)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/problem+json" || err != nil || pr.Status != 404 {
		t.Errorf("public GET /metrics: %d %s (%v), want a 404 problem", resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	if r := h.internal("/metrics"); r.status != http.StatusOK || !strings.Contains(string(r.body), "federation_") {
		t.Errorf("internal GET /metrics: %d, want the federation_ metrics", r.status)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if r := h.internal(path); r.status != http.StatusOK {
			t.Errorf("internal GET %s: %d, want 200 for probes", path, r.status)
		}
	}
	if r := h.internal("/api/v1/regions"); r.status != http.StatusNotFound {
		t.Errorf("internal GET /api/v1/regions: %d, want 404: the API is not on the internal listener", r.status)
	}
}

// TestTheAPIServesTLSFromTheConfiguredFiles runs the whole system with a
// certificate for 127.0.0.1 from a CA made here; the demo's issuer then
// lives behind the same TLS, so the verifier trusts that CA (IssuerCAFile).
func TestTheAPIServesTLSFromTheConfiguredFiles(t *testing.T) {
	caFile, certFile, keyFile := loopbackCertificate(t)
	h := newHarness(t, 1, func(o *system.Options) {
		o.TLSCertFile, o.TLSKeyFile, o.IssuerCAFile = certFile, keyFile, caFile
	})
	if !strings.HasPrefix(h.sys.URL, "https://") {
		t.Fatalf("URL %q, want https", h.sys.URL)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(h.sys.URL + "/api/v1/regions")
	if err != nil {
		t.Fatalf("GET over TLS: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil || !strings.Contains(string(body), `"77"`) {
		t.Errorf("GET /api/v1/regions over TLS: %d %s", resp.StatusCode, body)
	}
	plain, err := http.Get(strings.Replace(h.sys.URL, "https://", "http://", 1) + "/api/v1/regions")
	if err == nil {
		if plain.StatusCode == http.StatusOK {
			t.Error("the TLS listener answered a plain HTTP request with 200")
		}
		plain.Body.Close()
	}
}

func TestADataDirectoryIsCreatedPrivateOrTheProblemIsNamed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "data")
	newHarness(t, 1, func(o *system.Options) { o.DataDir = dir })
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("data dir %v (%v), want created with 0700", st, err)
	}

	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	opts := failingStartOptions()
	opts.DataDir = filepath.Join(file, "data")
	_, err = system.Start(t.Context(), opts)
	if err == nil || !strings.Contains(err.Error(), "data_dir "+opts.DataDir+" cannot be created") {
		t.Errorf("a data dir under a file: %v, want it named as not creatable", err)
	}
	if os.Getuid() == 0 {
		return // root writes anywhere: the unwritable case cannot be made here
	}
	ro := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	opts.DataDir = ro
	if _, err := system.Start(t.Context(), opts); err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Errorf("a read-only data dir: %v, want it named as not writable", err)
	}
}

// failingStartOptions are options that pass validation, for starts that
// must fail at the data directory, before anything runs.
func failingStartOptions() system.Options {
	region := regions.Config{Code: "77", Name: "Moscow", TimeZone: "Europe/Moscow"}
	region.MIS.BaseURL = "http://127.0.0.1:1"
	return system.Options{Listen: "127.0.0.1:0", Regions: []regions.Config{region}, DevIssuer: true,
		PseudonymKey: make([]byte, 32), SealKey: make([]byte, 32)}
}

// loopbackCertificate writes a CA and a server certificate for 127.0.0.1
// signed by it; it returns the three PEM files.
func loopbackCertificate(t *testing.T) (caFile, certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "federation"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caTmpl, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	caFile, certFile, keyFile = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for path, block := range map[string]*pem.Block{caFile: {Type: "CERTIFICATE", Bytes: caDER},
		certFile: {Type: "CERTIFICATE", Bytes: der}, keyFile: {Type: "EC PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return caFile, certFile, keyFile
}
