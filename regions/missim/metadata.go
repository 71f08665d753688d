package missim

import (
	"net/http"
	"strings"

	"github.com/fedhealth/federation/contracts/misv2"
)

// SoftwareName is the software the simulator's CapabilityStatement names.
const SoftwareName = "federation missim (reference MIS simulator)"

// handleMetadata answers GET /metadata with the simulator's own
// CapabilityStatement: the contract's canonical one made an instance
// statement of this server (kind instance, instantiates the canonical URL,
// software and implementation named), offering exactly what it requires.
func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Quirks.Has(QuirkNoMetadata) {
		writeError(w, errNotFound("no such operation: GET /metadata"))
		return
	}
	cs := misv2.CanonicalCapabilityStatement()
	cs.ID, cs.URL = "", ""
	cs.Kind = "instance"
	cs.Name = "MISSimulator"
	cs.Title = "Reference MIS simulator of region " + s.cfg.Region
	cs.Instantiates = []string{misv2.CapabilityStatementURL}
	cs.Software = &misv2.CapabilitySoftware{Name: SoftwareName, Version: misv2.Version}
	cs.Implementation = &misv2.CapabilityImplemented{
		Description: "Simulated MIS of region " + s.cfg.Region,
		URL:         strings.TrimSuffix(baseURL(r), "/"),
	}
	writeResource(w, http.StatusOK, cs)
}

// handleDefinition answers GET /{resourceType}/{id} for the contract's
// conformance resources of one type, byte for byte as the contract
// publishes them.
func handleDefinition(resourceType string, q Quirks) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, ok := misv2.Definition(resourceType, r.PathValue("id"))
		if !ok || q.Has(QuirkMissingDefinitions) {
			writeError(w, errNotFound("no "+resourceType+" "+r.PathValue("id")))
			return
		}
		w.Header().Set("Content-Type", misv2.ContentType)
		_, _ = w.Write(b)
	}
}
