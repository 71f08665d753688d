package system_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/breaker"
	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/mishttp"
	"github.com/fedhealth/federation/regions/missim/rpcsim"
	"github.com/fedhealth/federation/regions/missim/soapsim"
	"github.com/fedhealth/federation/regions/soap"
)

// The regions of another kind than FHIR that the tests add beside the
// harness's FHIR ones: Kamchatka on the e-registry SOAP simulator and
// Moscow Oblast on the city JSON-RPC one (codes the fleet does not use).
const (
	soapCode    = "41"
	jsonrpcCode = "50"
)

// startSOAPSim serves a SOAP simulator of Kamchatka on loopback until the
// test ends.
func startSOAPSim(t *testing.T, seed int64) (*soapsim.Server, *httptest.Server) {
	t.Helper()
	sim, err := soapsim.New(soapsim.Config{Region: soapCode, TimeZone: "Asia/Kamchatka", Seed: seed}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv
}

// startRPCSim serves a JSON-RPC simulator of Moscow Oblast on loopback
// until the test ends.
func startRPCSim(t *testing.T, seed int64) (*rpcsim.Server, *httptest.Server) {
	t.Helper()
	sim, err := rpcsim.New(rpcsim.Config{Region: jsonrpcCode, TimeZone: "Europe/Moscow", Seed: seed}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv
}

// soapRegion is Kamchatka's registry entry, its MIS at url (a simulator,
// or a fault proxy in front of one).
func soapRegion(url string, callTimeout time.Duration, b breaker.Config) regions.Config {
	return regions.Config{Code: soapCode, Name: "Kamchatka Krai", TimeZone: "Asia/Kamchatka", Kind: contracts.RegionSOAP,
		SOAP:    soap.Config{EndpointConfig: mishttp.EndpointConfig{Endpoint: url + "/", CallTimeout: callTimeout}},
		Breaker: b}
}

// jsonrpcRegion is Moscow Oblast's registry entry, its MIS at url.
func jsonrpcRegion(url string, callTimeout time.Duration, b breaker.Config) regions.Config {
	return regions.Config{Code: jsonrpcCode, Name: "Moscow Oblast", TimeZone: "Europe/Moscow", Kind: contracts.RegionJSONRPC,
		JSONRPC: jsonrpc.Config{EndpointConfig: mishttp.EndpointConfig{Endpoint: url + "/", CallTimeout: callTimeout}},
		Breaker: b}
}
