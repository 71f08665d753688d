package misv2_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"

	"github.com/fedhealth/federation/contracts/misv2"
)

// spec is the part of openapi.yaml the structural checks read.
type spec struct {
	OpenAPI string `yaml:"openapi"`
	Info    struct {
		Version string `yaml:"version"`
	} `yaml:"info"`
	Security []map[string][]string           `yaml:"security"`
	Paths    map[string]map[string]operation `yaml:"paths"`
}

type operation struct {
	Parameters []map[string]any `yaml:"parameters"`
	Responses  map[string]any   `yaml:"responses"`
}

func loadSpec(t *testing.T) spec {
	t.Helper()
	var s spec
	if err := yaml.Unmarshal(misv2.OpenAPI, &s); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	return s
}

// docOperations reads the operation list of the package comment in doc.go,
// so the comment, the spec and this test cannot drift apart.
func docOperations(t *testing.T) [][2]string {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var ops [][2]string
	for _, m := range regexp.MustCompile(`(?m)^//\s+(GET|POST)\s+(/\S+)`).FindAllStringSubmatch(string(src), -1) {
		path, _, _ := strings.Cut(m[2], "?")
		ops = append(ops, [2]string{strings.ToLower(m[1]), path})
	}
	if len(ops) < 11 {
		t.Fatalf("found %d operations in doc.go, want at least 11", len(ops))
	}
	return ops
}

func TestSpecIsContractVersion2(t *testing.T) {
	s := loadSpec(t)
	if !strings.HasPrefix(s.OpenAPI, "3.1.") || s.Info.Version != misv2.Version {
		t.Errorf("openapi %q version %q, want 3.1.x and %s", s.OpenAPI, s.Info.Version, misv2.Version)
	}
	if len(s.Security) == 0 {
		t.Error("the spec declares no security requirement")
	}
}

func TestSpecDescribesEveryOperationOfDocGo(t *testing.T) {
	s := loadSpec(t)
	for _, op := range docOperations(t) {
		path := op[1]
		if _, ok := s.Paths[path][op[0]]; !ok {
			t.Errorf("%s %s is in doc.go but not in openapi.yaml", strings.ToUpper(op[0]), path)
		}
	}
}

func TestEveryPostCarriesIdempotencyKeyAndItsOutcomes(t *testing.T) {
	s := loadSpec(t)
	for path, ops := range s.Paths {
		post, ok := ops["post"]
		if !ok {
			continue
		}
		hasKey := false
		for _, p := range post.Parameters {
			ref, _ := p["$ref"].(string)
			hasKey = hasKey || strings.HasSuffix(ref, "/IdempotencyKey")
		}
		if !hasKey {
			t.Errorf("POST %s has no Idempotency-Key parameter", path)
		}
		for _, code := range []string{"200", "400", "404", "422", "500", "503"} {
			if _, ok := post.Responses[code]; !ok {
				t.Errorf("POST %s does not describe its %s answer", path, code)
			}
		}
	}
	for path, code := range map[string]string{"/Appointment/$hold": "409", "/Appointment/{id}/$book": "409"} {
		if _, ok := s.Paths[path]["post"].Responses[code]; !ok {
			t.Errorf("POST %s does not describe its %s refusal", path, code)
		}
	}
}

func TestSpecIsValidOpenAPI31(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(misv2.OpenAPI)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatal("kin-openapi does not read the document as 3.1")
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("validate: %v", err)
	}
}
