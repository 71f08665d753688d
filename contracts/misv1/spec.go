package misv1

import _ "embed"

// OpenAPI is the vendor-facing OpenAPI 3.1 description of contract version
// 1 (openapi.yaml), embedded so the broker can serve it and tests can check
// it against the operations listed in the package comment.
//
//go:embed openapi.yaml
var OpenAPI []byte
