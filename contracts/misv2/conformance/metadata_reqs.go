package conformance

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
)

// metadataRequirements check what contract 2.0 added in FHIR's own terms:
// the CapabilityStatement, the definitions it points to, specialties coded
// in the federal directory and SNILS on Practitioner.
var metadataRequirements = []requirement{
	{id: "FHIR-META-01", title: "GET /metadata answers a FHIR 4.0.1 CapabilityStatement that instantiates the contract", readOnly: true, run: metadataStatement},
	{id: "FHIR-META-02", title: "Every OperationDefinition, SearchParameter and NamingSystem of the contract resolves", readOnly: true, run: metadataDefinitions},
	{id: "FHIR-META-03", title: "Slots carry a specialty coded in the federal directory of medical specialties", readOnly: true, run: specialtyCoded},
	{id: "FHIR-META-04", title: "Included practitioners carry their SNILS, their roles none", readOnly: true, run: practitionerSNILS},
}

// capabilities reads GET /metadata.
func (c *client) capabilities(t kit.T) misv2.CapabilityStatement {
	t.Helper()
	cs := decode[misv2.CapabilityStatement](t, c.get(t, "/metadata"), http.StatusOK, "GET /metadata")
	if cs.ResourceType != "CapabilityStatement" {
		t.Fatalf("GET /metadata answered a %q, want a CapabilityStatement", cs.ResourceType)
	}
	return cs
}

func metadataStatement(t kit.T, c *client) {
	cs := c.capabilities(t)
	if cs.FHIRVersion != "4.0.1" {
		t.Errorf("fhirVersion %q, want 4.0.1", cs.FHIRVersion)
	}
	if !slices.Contains(cs.Format, "json") && !slices.Contains(cs.Format, misv2.ContentType) {
		t.Errorf("format %v names neither json nor %s", cs.Format, misv2.ContentType)
	}
	if cs.Kind != "instance" && cs.Kind != "capability" {
		t.Errorf("kind %q, want instance (or capability)", cs.Kind)
	}
	if !slices.Contains(cs.Instantiates, misv2.CapabilityStatementURL) {
		t.Errorf("instantiates %v does not name %s", cs.Instantiates, misv2.CapabilityStatementURL)
	}
	if cs.Status == "" || cs.Date == "" {
		t.Errorf("status %q and date %q are required", cs.Status, cs.Date)
	}
	got := serverRest(t, cs)
	for _, want := range serverRest(t, misv2.CanonicalCapabilityStatement()).Resource {
		offersResource(t, got, want)
	}
}

func serverRest(t kit.T, cs misv2.CapabilityStatement) misv2.CapabilityRest {
	t.Helper()
	for _, r := range cs.Rest {
		if r.Mode == "server" {
			return r
		}
	}
	t.Fatalf("the CapabilityStatement has no rest entry of mode server")
	return misv2.CapabilityRest{}
}

// offersResource checks that the MIS offers every interaction, search
// parameter and operation the contract requires of one resource type.
func offersResource(t kit.T, rest misv2.CapabilityRest, want misv2.CapabilityResource) {
	t.Helper()
	i := slices.IndexFunc(rest.Resource, func(r misv2.CapabilityResource) bool { return r.Type == want.Type })
	if i < 0 {
		t.Errorf("rest.resource has no %s", want.Type)
		return
	}
	got := rest.Resource[i]
	for _, in := range want.Interaction {
		if !slices.ContainsFunc(got.Interaction, func(x misv2.CapabilityInteract) bool { return x.Code == in.Code }) {
			t.Errorf("%s: interaction %s is missing", want.Type, in.Code)
		}
	}
	for _, sp := range want.SearchParam {
		if !slices.ContainsFunc(got.SearchParam, func(x misv2.CapabilitySearch) bool {
			return x.Name == sp.Name && x.Type == sp.Type && x.Definition == sp.Definition
		}) {
			t.Errorf("%s: search parameter %s (%s, %s) is missing", want.Type, sp.Name, sp.Type, sp.Definition)
		}
	}
	for _, op := range want.Operation {
		if !slices.ContainsFunc(got.Operation, func(x misv2.CapabilityOperation) bool {
			return x.Name == op.Name && x.Definition == op.Definition
		}) {
			t.Errorf("%s: operation $%s (%s) is missing", want.Type, op.Name, op.Definition)
		}
	}
}

// metadataDefinitions reads every definition the MIS's statement names
// under the contract's canonical base, and the contract's NamingSystems,
// from the MIS itself.
func metadataDefinitions(t kit.T, c *client) {
	urls := []string{
		misv2.IdempotencyKeySystem, misv2.OMSSystem, // NamingSystems: their uniqueId is their URL
	}
	for _, res := range serverRest(t, c.capabilities(t)).Resource {
		for _, op := range res.Operation {
			urls = append(urls, op.Definition)
		}
		for _, sp := range res.SearchParam {
			if !strings.HasPrefix(sp.Definition, "http://hl7.org/fhir/SearchParameter/") {
				urls = append(urls, sp.Definition)
			}
		}
	}
	for _, u := range urls {
		c.resolveDefinition(t, u)
	}
}

// resolveDefinition reads the conformance resource canonical URL u names at
// GET /{resourceType}/{id} of the MIS and checks it is that resource.
func (c *client) resolveDefinition(t kit.T, u string) {
	t.Helper()
	path, ok := strings.CutPrefix(u, misv2.Canonical)
	typ, id, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !ok || !slices.Contains([]string{"OperationDefinition", "SearchParameter", "NamingSystem"}, typ) || id == "" {
		t.Errorf("%s is not a definition of the contract (%s/{type}/{id})", u, misv2.Canonical)
		return
	}
	r := c.get(t, path)
	if r.status != http.StatusOK {
		t.Errorf("GET %s answered %d, want 200 with the %s", path, r.status, typ)
		return
	}
	var head struct {
		ResourceType, ID, URL, Version, Status string
		UniqueID                               []struct{ Type, Value string }
	}
	if err := json.Unmarshal(r.body, &head); err != nil {
		t.Errorf("GET %s: not JSON: %v", path, err)
		return
	}
	named := head.URL == u || slices.ContainsFunc(head.UniqueID, func(x struct{ Type, Value string }) bool { return x.Value == u })
	if head.ResourceType != typ || head.ID != id || !named || head.Status != "active" {
		t.Errorf("GET %s answered %s/%s (url %q, status %q), want the active %s %s", path, head.ResourceType, head.ID, head.URL, head.Status, typ, u)
	}
	if typ != "NamingSystem" && head.Version != misv2.Version {
		t.Errorf("GET %s: version %q, want %s", path, head.Version, misv2.Version)
	}
}

func specialtyCoded(t kit.T, c *client) {
	res := c.search(t, "status=free&_count=50")
	if len(res.slots) == 0 {
		t.Fatal("search for free slots returned none")
	}
	for _, s := range res.slots {
		if !codedIn(s.Specialty, misv2.SpecialtySystem) {
			t.Errorf("slot %s: specialty %+v has no code of %s", s.ID, s.Specialty, misv2.SpecialtySystem)
		}
	}
}

func codedIn(concepts []misv2.CodeableConcept, system string) bool {
	for _, cc := range concepts {
		for _, cd := range cc.Coding {
			if cd.System == system && cd.Code != "" {
				return true
			}
		}
	}
	return false
}

var elevenDigits = regexp.MustCompile(`^[0-9]{11}$`)

// practitionerSNILS follows each slot to its PractitionerRole and on to
// the included Practitioner, which must carry a SNILS; the role must not.
func practitionerSNILS(t kit.T, c *client) {
	res := c.search(t, "status=free&_count=20")
	if len(res.slots) == 0 {
		t.Fatal("search for free slots returned none")
	}
	for _, s := range res.slots {
		roleRef := actor(res.schedule(t, s), "PractitionerRole")
		var role struct {
			Practitioner misv2.Reference    `json:"practitioner"`
			Identifier   []misv2.Identifier `json:"identifier"`
		}
		if err := json.Unmarshal(res.included[roleRef], &role); err != nil || res.included[roleRef] == nil {
			t.Fatalf("slot %s: PractitionerRole %q is not included (%v)", s.ID, roleRef, err)
		}
		for _, id := range role.Identifier {
			if id.System == misv2.SNILSSystem {
				t.Errorf("%s carries the SNILS; since 2.0 it is on the Practitioner", roleRef)
			}
		}
		ref := role.Practitioner.Reference
		if res.modes[ref] != "include" {
			t.Fatalf("%s references %q, which is not included with search.mode include", roleRef, ref)
		}
		var p misv2.Practitioner
		if err := json.Unmarshal(res.included[ref], &p); err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		if !slices.ContainsFunc(p.Identifier, func(id misv2.Identifier) bool {
			return id.System == misv2.SNILSSystem && elevenDigits.MatchString(id.Value)
		}) {
			t.Errorf("%s has no SNILS identifier (%s, 11 digits): %+v", ref, misv2.SNILSSystem, p.Identifier)
		}
	}
}
