package fhir_test

import (
	"crypto/x509"
	"errors"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/fhir"
	"github.com/fedhealth/federation/regions/mishttp/tlstest"
)

func TestMutualTLSPresentsTheConfiguredClientCertificate(t *testing.T) {
	ca := tlstest.NewCA(t)
	srv, names := tlstest.MutualTLSServer(t, ca, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset"}`))
	}))
	clientCert, clientKey := ca.Issue(t, "federation-broker", x509.ExtKeyUsageClientAuth)

	withoutCert := testConfig(srv.URL)
	withoutCert.TLS.CAFile = ca.File(t)
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
	ca := tlstest.NewCA(t)
	certFile, _ := ca.Issue(t, "client", x509.ExtKeyUsageClientAuth)
	cfg := testConfig("https://127.0.0.1:1")
	cfg.TLS.CertFile, cfg.TLS.KeyFile = certFile, filepath.Join(ca.Dir, "missing.key")
	if _, err := fhir.New(cfg, nil); err == nil {
		t.Fatal("New accepted a key file that does not exist")
	}
}
