package misv2

import _ "embed"

// Version is the contract's version: openapi.yaml's info.version and the
// version of every conformance resource in definitions/. 2.0.0 broke 1.1.0
// (identifier systems, Slot.specialty, SNILS on Practitioner): see the
// changelog in openapi.yaml.
const Version = "2.0.0"

// OpenAPI is the vendor-facing OpenAPI 3.1 description of the contract
// (openapi.yaml, version Version), embedded so the broker can serve it and
// tests can check it against the operations listed in the package comment.
//
//go:embed openapi.yaml
var OpenAPI []byte
