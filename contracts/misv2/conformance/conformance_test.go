package conformance_test

import (
	"flag"
	"testing"

	"github.com/fedhealth/federation/contracts/misv2/conformance"
)

var (
	misURL   = flag.String("mis.url", "", "base URL of the MIS to check; empty skips the check")
	misToken = flag.String("mis.token", "", "bearer token for the MIS")
	misQuery = flag.String("mis.slots", "", "extra slot search parameters that pick slots set aside for testing")
	misZone  = flag.String("mis.tz", "", "the region's IANA time zone, to check every instant's offset")
)

// TestVendorEndpoint lets a vendor check an endpoint without writing Go:
//
//	go test ./contracts/misv2/conformance -v -args -mis.url=https://mis.example/fhir
func TestVendorEndpoint(t *testing.T) {
	if *misURL == "" {
		t.Skip("no -mis.url given")
	}
	conformance.Run(t, conformance.Target{BaseURL: *misURL, BearerToken: *misToken, SlotQuery: *misQuery, TimeZone: *misZone})
}
