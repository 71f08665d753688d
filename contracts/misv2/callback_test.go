package misv2_test

import (
	"encoding/json"
	"errors"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/fedhealth/federation/contracts/misv2"
)

func TestTheSpecDescribesTheStatusCallback(t *testing.T) {
	var doc struct {
		Webhooks   map[string]map[string]any `yaml:"webhooks"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `yaml:"properties"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(misv2.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc.Webhooks["appointmentStatus"]["post"]; !ok {
		t.Fatal("openapi.yaml has no webhooks.appointmentStatus.post")
	}
	// Every member the Go type reads is described, and nothing else.
	members := map[string]any{}
	raw, _ := json.Marshal(misv2.StatusChangeData{AppointmentID: "a", Sequence: 1, Reason: "r", Channel: "c",
		Patient: &misv2.CallbackPatient{SNILS: "s"}, Specialty: "s", Practitioner: "p", Location: "l"})
	_ = json.Unmarshal(raw, &members)
	props := doc.Components.Schemas["StatusChange"].Properties
	for m := range members {
		if _, ok := props[m]; !ok {
			t.Errorf("data.%s is read by the broker but not in the schema", m)
		}
	}
	for m := range props {
		if _, ok := members[m]; !ok && m != "start" && m != "end" {
			t.Errorf("data.%s is in the schema but the broker does not read it", m)
		}
	}
}

// FuzzDecodeStatusCallback: arbitrary bodies never panic, what is refused
// is ErrBadCallback, and what is accepted validates and round-trips.
func FuzzDecodeStatusCallback(f *testing.F) {
	f.Add([]byte(`{"type":"appointment.cancelled","timestamp":"2026-12-01T10:00:00Z","data":{"appointment_id":"A-1","reason":"other"}}`))
	f.Add([]byte(`{"type":"appointment.booked_elsewhere","timestamp":"2026-12-01T10:00:00Z","data":{"appointment_id":"A-1",
		"start":"2026-12-02T10:00:00Z","end":"2026-12-02T10:20:00Z","channel":"kiosk","patient":{"oms":"1"}}}`))
	f.Add([]byte(`{"type":"appointment.visited","timestamp":"2026-12-01T10:00:00Z","data":{"appointment_id":"A-1"}} {}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := misv2.DecodeStatusCallback(body)
		if err != nil {
			if !errors.Is(err, misv2.ErrBadCallback) {
				t.Fatalf("an error of another kind: %v", err)
			}
			return
		}
		again, _ := json.Marshal(cb)
		if _, err := misv2.DecodeStatusCallback(again); err != nil {
			t.Fatalf("accepted %s, but not its own encoding %s: %v", body, again, err)
		}
	})
}
