package jsonrpc_test

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/mishttp"
	"github.com/fedhealth/federation/regions/mishttp/tlstest"
	"github.com/fedhealth/federation/regions/missim/rpcsim"
)

// A city API that accepts only mutual TLS: the `tls:` section's client
// certificate is what gets the broker in.
func TestMutualTLSPresentsTheConfiguredClientCertificate(t *testing.T) {
	sim, err := rpcsim.New(rpcsim.Config{Region: moscow.Code, TimeZone: moscow.TimeZone, Seed: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ca := tlstest.NewCA(t)
	srv, names := tlstest.MutualTLSServer(t, ca, sim.Handler())
	l := testLedger(t)
	clientCert, clientKey := ca.Issue(t, "federation-broker", x509.ExtKeyUsageClientAuth)
	client := func(files mishttp.TLSFiles) *jsonrpc.Client {
		c, err := jsonrpc.New(jsonrpc.Config{Region: moscow, EndpointConfig: mishttp.EndpointConfig{Endpoint: srv.URL, CallTimeout: 2 * time.Second, ReadAttempts: 1, TLS: files}}, l, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	search := func(c *jsonrpc.Client) error {
		_, err := c.SearchSlots(t.Context(), contracts.SlotQuery{Limit: 1})
		return err
	}
	if err := search(client(mishttp.TLSFiles{CAFile: ca.File(t)})); !errors.Is(err, contracts.ErrRegionUnavailable) {
		t.Fatalf("without a client certificate: err = %v, want region unavailable", err)
	}
	if err := search(client(mishttp.TLSFiles{CAFile: ca.File(t), CertFile: clientCert, KeyFile: clientKey})); err != nil {
		t.Fatalf("with the client certificate: %v", err)
	}
	if got := <-names; got != "federation-broker" {
		t.Errorf("the MIS saw client %q, want federation-broker", got)
	}
	if _, err := jsonrpc.New(jsonrpc.Config{Region: moscow, EndpointConfig: mishttp.EndpointConfig{Endpoint: srv.URL, TLS: mishttp.TLSFiles{CertFile: clientCert}}}, l, nil); !errors.Is(err, contracts.ErrInvalid) {
		t.Errorf("a certificate without its key: %v, want ErrInvalid", err)
	}
}
