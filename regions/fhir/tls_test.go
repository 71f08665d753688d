package fhir_test

import (
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/fedhealth/federation/contracts"
)

func TestTLSTrustsOnlyTheConfiguredCA(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset"}`))
	}))
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}

	untrusted := testConfig(srv.URL)
	if err := search(newClient(t, untrusted)); !errors.Is(err, contracts.ErrRegionUnavailable) {
		t.Fatalf("without the CA: err = %v, want region unavailable", err)
	}
	trusted := testConfig(srv.URL)
	trusted.TLS.CAFile = caFile
	if err := search(newClient(t, trusted)); err != nil {
		t.Fatalf("with the CA: %v", err)
	}
}
