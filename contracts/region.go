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
}
