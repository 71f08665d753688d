package misv2

// CapabilityStatement is a FHIR R4 CapabilityStatement, with the elements
// the contract uses. The contract's own (CanonicalCapabilityStatement) has
// kind "requirements"; an MIS answers GET /metadata with one of kind
// "instance" that names the canonical URL in Instantiates.
type CapabilityStatement struct {
	ResourceType   string                 `json:"resourceType"` // "CapabilityStatement"
	ID             string                 `json:"id,omitempty"`
	URL            string                 `json:"url,omitempty"`
	Version        string                 `json:"version,omitempty"`
	Name           string                 `json:"name,omitempty"`
	Title          string                 `json:"title,omitempty"`
	Status         string                 `json:"status"`
	Experimental   bool                   `json:"experimental"`
	Date           string                 `json:"date"`
	Publisher      string                 `json:"publisher,omitempty"`
	Description    string                 `json:"description,omitempty"`
	Kind           string                 `json:"kind"` // "requirements" | "instance"
	Instantiates   []string               `json:"instantiates,omitempty"`
	Software       *CapabilitySoftware    `json:"software,omitempty"`
	Implementation *CapabilityImplemented `json:"implementation,omitempty"`
	FHIRVersion    string                 `json:"fhirVersion"` // "4.0.1"
	Format         []string               `json:"format"`
	Rest           []CapabilityRest       `json:"rest,omitempty"`
}

// CapabilitySoftware names the software of an instance.
type CapabilitySoftware struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// CapabilityImplemented describes the installation an instance statement
// is about: its base URL.
type CapabilityImplemented struct {
	Description string `json:"description"`
	URL         string `json:"url,omitempty"`
}

// CapabilityRest is what the server offers over REST.
type CapabilityRest struct {
	Mode          string               `json:"mode"` // "server"
	Documentation string               `json:"documentation,omitempty"`
	Security      *CapabilitySecurity  `json:"security,omitempty"`
	Resource      []CapabilityResource `json:"resource,omitempty"`
}

// CapabilitySecurity says how a client authenticates.
type CapabilitySecurity struct {
	Service     []CodeableConcept `json:"service,omitempty"`
	Description string            `json:"description,omitempty"`
}

// CapabilityResource is one resource type the server handles.
type CapabilityResource struct {
	Type          string                `json:"type"`
	Documentation string                `json:"documentation,omitempty"`
	Interaction   []CapabilityInteract  `json:"interaction,omitempty"`
	SearchInclude []string              `json:"searchInclude,omitempty"`
	SearchParam   []CapabilitySearch    `json:"searchParam,omitempty"`
	Operation     []CapabilityOperation `json:"operation,omitempty"`
}

// CapabilityInteract is one RESTful interaction ("read", "search-type").
type CapabilityInteract struct {
	Code          string `json:"code"`
	Documentation string `json:"documentation,omitempty"`
}

// CapabilitySearch is one search parameter; Definition is the canonical URL
// of its SearchParameter.
type CapabilitySearch struct {
	Name          string `json:"name"`
	Definition    string `json:"definition,omitempty"`
	Type          string `json:"type"`
	Documentation string `json:"documentation,omitempty"`
}

// CapabilityOperation is one operation; Definition is the canonical URL of
// its OperationDefinition.
type CapabilityOperation struct {
	Name          string `json:"name"`
	Definition    string `json:"definition"`
	Documentation string `json:"documentation,omitempty"`
}
