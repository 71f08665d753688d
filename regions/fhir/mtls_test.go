package fhir_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/fhir"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	dir  string
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, dir: t.TempDir()}
}

// issue signs a certificate for name (a server on loopback, or a client)
// and writes it and its key as PEM files; it returns their paths.
func (ca *testCA) issue(t *testing.T, name string, usage x509.ExtKeyUsage) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(ca.dir, name+".crt"), filepath.Join(ca.dir, name+".key")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "EC PRIVATE KEY", keyDER)
	return certFile, keyFile
}

func (ca *testCA) file(t *testing.T) string {
	t.Helper()
	path := filepath.Join(ca.dir, "ca.crt")
	writePEM(t, path, "CERTIFICATE", ca.cert.Raw)
	return path
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// mutualTLSMIS is an MIS on loopback that completes the handshake only
// with a client certificate its CA signed, and reports the client's name.
func mutualTLSMIS(t *testing.T, ca *testCA) (*httptest.Server, chan string) {
	t.Helper()
	certFile, keyFile := ca.issue(t, "mis", x509.ExtKeyUsageServerAuth)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	clients := x509.NewCertPool()
	clients.AddCert(ca.cert)
	names := make(chan string, 10)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		names <- r.TLS.PeerCertificates[0].Subject.CommonName
		_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset"}`))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: clients, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, names
}

func TestMutualTLSPresentsTheConfiguredClientCertificate(t *testing.T) {
	ca := newTestCA(t)
	srv, names := mutualTLSMIS(t, ca)
	clientCert, clientKey := ca.issue(t, "federation-broker", x509.ExtKeyUsageClientAuth)

	withoutCert := testConfig(srv.URL)
	withoutCert.TLS.CAFile = ca.file(t)
	if err := search(newClient(t, withoutCert)); !errors.Is(err, contracts.ErrRegionUnavailable) {
		t.Fatalf("without a client certificate: err = %v, want region unavailable", err)
	}
	withCert := withoutCert
	withCert.TLS.CertFile, withCert.TLS.KeyFile = clientCert, clientKey
	if err := search(newClient(t, withCert)); err != nil {
		t.Fatalf("with the client certificate: %v", err)
	}
	if got := <-names; got != "federation-broker" {
		t.Errorf("the MIS saw client %q, want federation-broker", got)
	}
}

func TestAClientCertificateThatDoesNotLoadIsAConfigError(t *testing.T) {
	ca := newTestCA(t)
	certFile, _ := ca.issue(t, "client", x509.ExtKeyUsageClientAuth)
	cfg := testConfig("https://127.0.0.1:1")
	cfg.TLS.CertFile, cfg.TLS.KeyFile = certFile, filepath.Join(ca.dir, "missing.key")
	if _, err := fhir.New(cfg, nil); err == nil {
		t.Fatal("New accepted a key file that does not exist")
	}
}
