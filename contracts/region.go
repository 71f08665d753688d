package contracts

// RegionStatus is what citizens are told about a region's MIS.
type RegionStatus string

// Region statuses, derived from the region's circuit breaker.
const (
	RegionAvailable   RegionStatus = "available"   // breaker closed
	RegionDegraded    RegionStatus = "degraded"    // breaker half-open: probing
	RegionUnavailable RegionStatus = "unavailable" // breaker open: calls fail fast
)

// Region is one federal subject with one MIS endpoint.
type Region struct {
	Code     string // federal subject code, e.g. "77"
	Name     string
	TimeZone string // IANA name, e.g. "Europe/Moscow"
	// Kind is how the broker talks to the region's MIS.
	Kind RegionKind
}

// RegionKind is the style a region's MIS speaks; regions/ holds one
// adapter package per kind, each behind the same MIS port.
type RegionKind string

// The region kinds.
const (
	// RegionFHIR speaks the federal FHIR contract (contracts/misv2).
	RegionFHIR RegionKind = "fhir"
	// RegionSOAP speaks the federal e-registry SOAP style (regions/soap).
	RegionSOAP RegionKind = "soap"
	// RegionJSONRPC speaks a city JSON-RPC 2.0 API (regions/jsonrpc).
	RegionJSONRPC RegionKind = "jsonrpc"
	// RegionFeed only publishes free slots (regions/feed); its bookings go
	// through the region's operator queue, not to an MIS.
	RegionFeed RegionKind = "feed"
)
