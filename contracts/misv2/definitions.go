package misv2

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// The contract's conformance resources (definitions/*.json), one file per
// resource named {resourceType}-{id}.json: the canonical
// CapabilityStatement, the OperationDefinitions of $hold, $book and
// $cancel, the SearchParameters the contract adds to base R4 and the
// NamingSystems of its own identifier systems. An MIS serves them (the
// reference simulator does) at GET /{resourceType}/{id}.
//
//go:embed definitions/*.json
var definitionFiles embed.FS

// CapabilityStatementID is the id of the contract's canonical
// CapabilityStatement; CapabilityStatementURL its canonical URL, which an
// MIS's own statement names in instantiates.
const (
	CapabilityStatementID  = "mis-booking"
	CapabilityStatementURL = Canonical + "/CapabilityStatement/" + CapabilityStatementID
)

// DefinitionRef names one conformance resource of the contract.
type DefinitionRef struct {
	ResourceType, ID string
}

// Definitions lists every conformance resource of the contract, ordered by
// resource type and id.
func Definitions() []DefinitionRef {
	names, err := fs.Glob(definitionFiles, "definitions/*.json")
	if err != nil {
		panic(err) // the pattern is a constant
	}
	out := make([]DefinitionRef, 0, len(names))
	for _, n := range names {
		typ, id, ok := strings.Cut(strings.TrimSuffix(path.Base(n), ".json"), "-")
		if ok {
			out = append(out, DefinitionRef{ResourceType: typ, ID: id})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ResourceType != out[j].ResourceType {
			return out[i].ResourceType < out[j].ResourceType
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Definition returns the JSON of the conformance resource resourceType/id,
// or false when the contract has none of that name.
func Definition(resourceType, id string) ([]byte, bool) {
	if strings.ContainsAny(resourceType+id, "/\\") || resourceType == "" || id == "" {
		return nil, false
	}
	b, err := definitionFiles.ReadFile("definitions/" + resourceType + "-" + id + ".json")
	return b, err == nil
}

// CanonicalCapabilityStatement returns the contract's CapabilityStatement
// (kind requirements), decoded afresh: the caller may change its copy.
func CanonicalCapabilityStatement() CapabilityStatement {
	b, ok := Definition("CapabilityStatement", CapabilityStatementID)
	if !ok {
		panic("misv2: the canonical CapabilityStatement is not embedded")
	}
	var cs CapabilityStatement
	if err := json.Unmarshal(b, &cs); err != nil {
		panic(fmt.Sprintf("misv2: the canonical CapabilityStatement: %v", err)) // a test parses every file
	}
	return cs
}
