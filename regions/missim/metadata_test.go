package missim_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/missim"
)

func TestMetadataAndDefinitionsNeedNoTokenWhereTheContractNeedsOne(t *testing.T) {
	s := newSim(t, missim.Config{Region: "25", TimeZone: "Asia/Vladivostok", BearerToken: "secret"})
	var cs misv2.CapabilityStatement
	if st := s.get(t, "/metadata", &cs); st != http.StatusOK {
		t.Fatalf("GET /metadata without a token: %d, want 200", st)
	}
	if cs.Kind != "instance" || cs.Software == nil || cs.Software.Name != missim.SoftwareName ||
		cs.Implementation == nil || cs.Implementation.URL != s.url || cs.URL != "" {
		t.Errorf("statement: kind %q software %+v implementation %+v url %q", cs.Kind, cs.Software, cs.Implementation, cs.URL)
	}
	for _, d := range misv2.Definitions() {
		if d.ResourceType == "CapabilityStatement" {
			continue // the canonical one is published, not served: /metadata is the instance
		}
		resp, err := http.Get(s.url + "/" + d.ResourceType + "/" + d.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want, _ := misv2.Definition(d.ResourceType, d.ID)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != misv2.ContentType || !bytes.Equal(got, want) {
			t.Errorf("GET /%s/%s: %d %q, not the contract's document", d.ResourceType, d.ID, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if st := s.get(t, "/Slot?_count=1", nil); st != http.StatusUnauthorized {
		t.Errorf("a slot search without a token: %d, want 401", st)
	}
	var oo misv2.OperationOutcome
	if st := s.get(t, "/OperationDefinition/Appointment-move", &oo); st != http.StatusNotFound || len(oo.Issue) == 0 {
		t.Errorf("an unknown OperationDefinition: %d %+v, want 404 with an OperationOutcome", st, oo)
	}
}

func TestSpecialtySearchReadsTheFederalDirectory(t *testing.T) {
	s := newSim(t, missim.Config{Region: "77", TimeZone: "Europe/Moscow"})
	for _, tc := range []struct {
		name, query string
		some        bool
	}{
		{"a bare code of the directory finds its slots", "specialty=" + missim.SpecialtyCardiology, true},
		{"the directory's system may be named", "specialty=" + misv2.SpecialtySystem + "|" + missim.SpecialtyCardiology, true},
		{"the same code in another system finds nothing", "specialty=http://snomed.info/sct|" + missim.SpecialtyCardiology, false},
		{"version 1's service-type is no filter of version 2", "service-type=cardiologist&specialty=" + missim.SpecialtyTherapy, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b misv2.Bundle
			if st := s.get(t, "/Slot?status=free&_count=5&"+tc.query, &b); st != http.StatusOK {
				t.Fatalf("status %d", st)
			}
			if (b.Total > 0) != tc.some {
				t.Fatalf("total %d, want some: %v", b.Total, tc.some)
			}
			if tc.some {
				sl := decodeSlot(t, b)
				if len(sl.Specialty) != 1 || sl.Specialty[0].Coding[0].System != misv2.SpecialtySystem {
					t.Errorf("slot %s specialty %+v", sl.ID, sl.Specialty)
				}
			}
		})
	}
}
