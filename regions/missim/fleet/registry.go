package fleet

import (
	"github.com/fedhealth/federation/regions/mishttp"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/breaker"
	"github.com/fedhealth/federation/regions/feed"
	"github.com/fedhealth/federation/regions/fhir"
	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/soap"
)

// Laptop settings of every region's client: calls that give up soon, one
// retry of what may be retried, and a breaker that probes again after two
// seconds, so that the demo's and the tests' faults show and heal quickly.
const (
	callTimeout  = 2 * time.Second
	retryWaitMin = 20 * time.Millisecond
	retryWaitMax = 200 * time.Millisecond
	// FeedPollInterval is how often a feed region's publisher is polled:
	// a laptop's feed shows a change within a second, and is stale (its
	// availability unknown) after three missed polls.
	FeedPollInterval = time.Second
)

// RegistryConfigs points one registry entry at each simulator, in the
// section of its kind (fhir: MIS, soap: SOAP, jsonrpc: JSONRPC, feed: Feed), with
// laptop settings. The soap and jsonrpc kinds also need the step ledger,
// which the system wires in (regions.WithLedger).
func RegistryConfigs(sims []*Simulator) []regions.Config {
	out := make([]regions.Config, len(sims))
	for i, s := range sims {
		c := regions.Config{
			Code: s.Region.Code, Name: s.Region.Name, TimeZone: s.Region.TimeZone, Kind: s.Kind(),
			Breaker: breaker.Config{ConsecutiveFailures: 5, OpenTimeout: 2 * time.Second, MaxConcurrent: 64},
		}
		switch c.Kind {
		case contracts.RegionSOAP:
			c.SOAP = soap.Config{EndpointConfig: mishttp.EndpointConfig{Endpoint: s.URL + "/", CallTimeout: callTimeout, ReadAttempts: 2, RetryWaitMin: retryWaitMin, RetryWaitMax: retryWaitMax}}
		case contracts.RegionJSONRPC:
			c.JSONRPC = jsonrpc.Config{EndpointConfig: mishttp.EndpointConfig{Endpoint: s.URL + "/", CallTimeout: callTimeout, ReadAttempts: 2, RetryWaitMin: retryWaitMin, RetryWaitMax: retryWaitMax}}
		case contracts.RegionFeed:
			c.Feed = feed.Config{BaseURL: s.URL, PollInterval: FeedPollInterval, Timeout: callTimeout}
		default:
			c.MIS = fhir.Config{BaseURL: s.URL, CallTimeout: callTimeout,
				Retry: fhir.RetryConfig{MaxAttempts: 2, WaitMin: retryWaitMin, WaitMax: retryWaitMax}}
		}
		out[i] = c
	}
	return out
}
