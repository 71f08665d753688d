package misv2_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fedhealth/federation/contracts/misv2"
)

// conformanceResource is what every definition file must carry.
type conformanceResource struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	URL          string `json:"url"`
	Version      string `json:"version"`
	Status       string `json:"status"`
	Kind         string `json:"kind"`
	Code         string `json:"code"`
	AffectsState *bool  `json:"affectsState"`
	Parameter    []struct {
		Name, Use, Max, Type string
		Min                  *int
	} `json:"parameter"`
	Base     []string        `json:"base"`
	Type     json.RawMessage `json:"type"` // a SearchParameter's is a string; others differ
	UniqueID []struct {
		Type, Value string
		Preferred   bool
	} `json:"uniqueId"`
	Extension []struct {
		URL         string `json:"url"`
		ValueURI    string `json:"valueUri"`
		ValueString string `json:"valueString"`
	} `json:"extension"`
}

func readDefinition(t *testing.T, typ, id string) conformanceResource {
	t.Helper()
	b, ok := misv2.Definition(typ, id)
	if !ok {
		t.Fatalf("%s/%s is not embedded", typ, id)
	}
	var r conformanceResource
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s/%s is not JSON: %v", typ, id, err)
	}
	return r
}

// canonical returns r's canonical URL and version: url and version, or for
// a NamingSystem (R4 has neither element) its preferred uri uniqueId and
// the R5 cross-version extension for its version.
func canonical(r conformanceResource) (url, version string) {
	if r.ResourceType != "NamingSystem" {
		return r.URL, r.Version
	}
	for _, u := range r.UniqueID {
		if u.Type == "uri" && u.Preferred {
			url = u.Value
		}
	}
	for _, e := range r.Extension {
		if strings.HasSuffix(e.URL, "extension-NamingSystem.version") {
			version = e.ValueString
		}
	}
	return url, version
}

func TestEveryDefinitionFileParsesAsItsResource(t *testing.T) {
	files, err := filepath.Glob("definitions/*.json")
	if err != nil || len(files) != len(misv2.Definitions()) {
		t.Fatalf("%d files, %d definitions listed (%v)", len(files), len(misv2.Definitions()), err)
	}
	for _, d := range misv2.Definitions() {
		t.Run(d.ResourceType+"/"+d.ID, func(t *testing.T) {
			r := readDefinition(t, d.ResourceType, d.ID)
			if r.ResourceType != d.ResourceType || r.ID != d.ID {
				t.Errorf("file names %s/%s, resource is %s/%s", d.ResourceType, d.ID, r.ResourceType, r.ID)
			}
			url, version := canonical(r)
			if want := misv2.Canonical + "/" + d.ResourceType + "/" + d.ID; url != want {
				t.Errorf("canonical URL %q, want %q", url, want)
			}
			if version != misv2.Version || r.Status != "active" {
				t.Errorf("version %q status %q, want %s and active", version, r.Status, misv2.Version)
			}
		})
	}
}

func TestCapabilityStatementNamesOnlyDefinedOperationsAndParameters(t *testing.T) {
	cs := misv2.CanonicalCapabilityStatement()
	if cs.URL != misv2.CapabilityStatementURL || cs.Kind != "requirements" || cs.FHIRVersion != "4.0.1" ||
		len(cs.Format) != 1 || cs.Format[0] != "json" || len(cs.Rest) != 1 || cs.Rest[0].Mode != "server" {
		t.Fatalf("canonical statement: url %q kind %q fhirVersion %q format %v rest %d",
			cs.URL, cs.Kind, cs.FHIRVersion, cs.Format, len(cs.Rest))
	}
	ops, params := 0, 0
	for _, res := range cs.Rest[0].Resource {
		for _, op := range res.Operation {
			ops++
			od := resolve(t, op.Definition, "OperationDefinition")
			if od.Code != op.Name || od.Kind != "operation" || od.AffectsState == nil || !*od.AffectsState {
				t.Errorf("$%s: definition has code %q kind %q affectsState %v", op.Name, od.Code, od.Kind, od.AffectsState)
			}
			if !hasReturn(od) {
				t.Errorf("$%s: no out parameter return of type Appointment", op.Name)
			}
		}
		for _, sp := range res.SearchParam {
			if strings.HasPrefix(sp.Definition, "http://hl7.org/fhir/SearchParameter/") {
				continue // base R4
			}
			params++
			def := resolve(t, sp.Definition, "SearchParameter")
			if def.Code != sp.Name || string(def.Type) != strconv.Quote(sp.Type) || len(def.Base) != 1 || def.Base[0] != res.Type {
				t.Errorf("%s %s: definition has code %q type %q base %v", res.Type, sp.Name, def.Code, def.Type, def.Base)
			}
		}
	}
	if ops != 3 || params != 2 {
		t.Errorf("%d operations and %d contract search parameters, want $hold/$book/$cancel and practitioner/location", ops, params)
	}
}

func hasReturn(od conformanceResource) bool {
	for _, p := range od.Parameter {
		if p.Name == "return" && p.Use == "out" && p.Type == "Appointment" && p.Min != nil && *p.Min == 1 && p.Max == "1" {
			return true
		}
	}
	return false
}

// resolve finds the embedded definition a canonical URL names.
func resolve(t *testing.T, url, typ string) conformanceResource {
	t.Helper()
	id, ok := strings.CutPrefix(url, misv2.Canonical+"/"+typ+"/")
	if !ok {
		t.Fatalf("%q is not a canonical URL of the contract's %ss", url, typ)
	}
	return readDefinition(t, typ, id)
}

func TestEveryIdentifierSystemOfTheContractHasANamingSystem(t *testing.T) {
	for _, sys := range []string{misv2.IdempotencyKeySystem, misv2.OMSSystem} {
		id, ok := strings.CutPrefix(sys, misv2.Canonical+"/NamingSystem/")
		if !ok {
			t.Errorf("%s is not under %s/NamingSystem/", sys, misv2.Canonical)
			continue
		}
		if url, _ := canonical(readDefinition(t, "NamingSystem", id)); url != sys {
			t.Errorf("NamingSystem %s names %q", id, url)
		}
	}
	src, err := os.ReadFile("resources.go")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), "urn:fedhealth") {
		t.Error("resources.go still names a urn:fedhealth: system")
	}
}

func TestDefinitionRefusesPathsOutsideTheDefinitions(t *testing.T) {
	for _, c := range [][2]string{{"..", "openapi"}, {"OperationDefinition", "../x"}, {"", "x"}, {"NamingSystem", "nope"}} {
		if _, ok := misv2.Definition(c[0], c[1]); ok {
			t.Errorf("Definition(%q, %q) found something", c[0], c[1])
		}
	}
}
