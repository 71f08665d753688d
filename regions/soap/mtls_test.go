package soap_test

import (
	"context"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/mishttp"
	"github.com/fedhealth/federation/regions/mishttp/tlstest"
	"github.com/fedhealth/federation/regions/missim/soapsim"
	"github.com/fedhealth/federation/regions/soap"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

// A region whose e-registry accepts only mutual TLS: the `tls:` section's
// client certificate is what gets the broker in.
func TestMutualTLSPresentsTheConfiguredClientCertificate(t *testing.T) {
	sim, err := soapsim.New(soapsim.Config{Region: region.Code, TimeZone: tz, Seed: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ca := tlstest.NewCA(t)
	srv, names := tlstest.MutualTLSServer(t, ca, sim.Handler())
	db, _ := sqldbtest.SQLite(t)
	l, err := ledger.New(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	clientCert, clientKey := ca.Issue(t, "federation-broker", x509.ExtKeyUsageClientAuth)
	search := func(c *soap.Client) error {
		_, err := c.SearchSlots(t.Context(), contracts.SlotQuery{Limit: 1})
		return err
	}
	withoutCert := newClient(t, srv.URL+"/", l, func(c *soap.Config) { c.TLS.CAFile = ca.File(t); c.ReadAttempts = 1 })
	if err := search(withoutCert); !errors.Is(err, contracts.ErrRegionUnavailable) {
		t.Fatalf("without a client certificate: err = %v, want region unavailable", err)
	}
	withCert := newClient(t, srv.URL+"/", l, func(c *soap.Config) {
		c.TLS.CAFile, c.TLS.CertFile, c.TLS.KeyFile = ca.File(t), clientCert, clientKey
	})
	if err := search(withCert); err != nil {
		t.Fatalf("with the client certificate: %v", err)
	}
	if got := <-names; got != "federation-broker" {
		t.Errorf("the MIS saw client %q, want federation-broker", got)
	}
	if _, err := soap.New(soap.Config{Region: region, EndpointConfig: mishttp.EndpointConfig{Endpoint: srv.URL + "/", TLS: mishttp.TLSFiles{CertFile: clientCert}}}, l, nil); !errors.Is(err, contracts.ErrInvalid) {
		t.Errorf("a certificate without its key: %v, want ErrInvalid", err)
	}
}
