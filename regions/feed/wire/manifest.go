package wire

// ManifestPath is the path of the manifest below a publisher's base URL:
// the specification requires the manifest URL to end with $bulk-publish.
const ManifestPath = "/$bulk-publish"

// NDJSONContentType is the media type of the Location, Schedule and Slot
// files (FHIR bulk data); publishers on static hosting often send
// application/x-ndjson or application/octet-stream instead, and readers
// accept any.
const NDJSONContentType = "application/fhir+ndjson"

// Output types a manifest may list. Readers ignore any other type.
const (
	TypeLocation = "Location"
	TypeSchedule = "Schedule"
	TypeSlot     = "Slot"
)

// Manifest is the bulk publication manifest, the entry point of a feed.
type Manifest struct {
	// TransactionTime is when this data set was published (ISO 8601 instant).
	TransactionTime string `json:"transactionTime"`
	// Request is the full URL of the manifest itself.
	Request string `json:"request"`
	// Output lists the NDJSON files, each with the resource type it holds.
	Output []Output `json:"output"`
	// Error lists files of OperationOutcome resources, usually empty.
	Error []Output `json:"error"`
}

// Output is one file of a manifest: its resource type and its full URL.
type Output struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}
