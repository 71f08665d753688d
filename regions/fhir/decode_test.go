package fhir_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/fhir"
)

func entry(mode string, resource any) misv2.BundleEntry {
	raw, _ := json.Marshal(resource)
	return misv2.BundleEntry{Resource: raw, Search: &misv2.BundleSearch{Mode: mode}}
}

func therapy() misv2.CodeableConcept {
	return misv2.CodeableConcept{Coding: []misv2.Coding{{System: misv2.SpecialtySystem, Code: "27", Display: "Терапия"}}}
}

// local is a specialty coded in a region's own directory, which the
// adapter takes only when no coding of the federal directory is found.
func local() misv2.CodeableConcept {
	return misv2.CodeableConcept{Coding: []misv2.Coding{{System: "urn:oid:1.2.643.5.1.13.13.12.2.25.1.1", Code: "T1", Display: "Участковый"}}}
}

// slotBundle is one free slot at 09:00 Vladivostok time with its includes,
// referenced once relatively and once by absolute URL. The slot codes its
// specialty in a local directory first and in the federal one second; the
// doctor's name is only on the included Practitioner.
func slotBundle() misv2.Bundle {
	return misv2.Bundle{ResourceType: "Bundle", Type: "searchset", Total: 1, Entry: []misv2.BundleEntry{
		entry("match", misv2.Slot{ResourceType: "Slot", ID: "s1", Status: "free",
			Schedule: misv2.Reference{Reference: "https://mis.example/fhir/Schedule/sch1"},
			Start:    "2025-03-10T09:00:00+10:00", End: "2025-03-10T09:15:00+10:00",
			Specialty: []misv2.CodeableConcept{local(), therapy()}}),
		entry("include", misv2.Schedule{ResourceType: "Schedule", ID: "sch1", Active: true,
			Actor: []misv2.Reference{{Reference: "PractitionerRole/pr1"}, {Reference: "Location/loc1"}}}),
		entry("include", misv2.PractitionerRole{ResourceType: "PractitionerRole", ID: "pr1",
			Practitioner: misv2.Reference{Reference: "Practitioner/p1"},
			Specialty:    []misv2.CodeableConcept{local()}}),
		entry("include", misv2.Practitioner{ResourceType: "Practitioner", ID: "p1",
			Identifier: []misv2.Identifier{{System: misv2.SNILSSystem, Value: "11223344595"}},
			Name:       []misv2.HumanName{{Text: "Иванова Анна Петровна"}}}),
		entry("include", misv2.Location{ResourceType: "Location", ID: "loc1", Name: "Поликлиника №1",
			Identifier: []misv2.Identifier{{System: misv2.FacilityOIDSystem, Value: "urn:oid:1.2.643.5.1.13.13.12.2.25.1"}},
			Address:    &misv2.Address{Line: []string{"ул. Светланская, 1"}, City: "Владивосток"}}),
	}}
}

func TestSearchSlotsJoinsIncludesAndKeepsTheRegionsClock(t *testing.T) {
	mis := newScriptedMIS(t, answer{status: 200, body: slotBundle()})
	c := newClient(t, testConfig(mis.srv.URL))
	vlad, _ := time.LoadLocation("Asia/Vladivostok")
	// 2025-03-09 20:00 UTC is already 2025-03-10 in Vladivostok.
	slots, err := c.SearchSlots(context.Background(), contracts.SlotQuery{
		Specialty: "27", From: time.Date(2025, 3, 9, 20, 0, 0, 0, time.UTC),
		To: time.Date(2025, 3, 11, 0, 0, 0, 0, vlad), Limit: 10})
	if err != nil {
		t.Fatalf("SearchSlots: %v", err)
	}
	want := contracts.Slot{
		ID: "s1", Free: true,
		Start:        time.Date(2025, 3, 10, 9, 0, 0, 0, vlad),
		End:          time.Date(2025, 3, 10, 9, 15, 0, 0, vlad),
		Specialty:    contracts.Coding{System: misv2.SpecialtySystem, Code: "27", Display: "Терапия"},
		Practitioner: contracts.Practitioner{ID: "p1", Name: "Иванова Анна Петровна"},
		Facility:     contracts.Facility{ID: "1.2.643.5.1.13.13.12.2.25.1", Name: "Поликлиника №1", Address: "ул. Светланская, 1, Владивосток"},
	}
	if len(slots) != 1 {
		t.Fatalf("got %d slots, want 1", len(slots))
	}
	got := slots[0]
	if !got.Start.Equal(want.Start) || got.Start.Hour() != 9 || got.Start.Location().String() != "Asia/Vladivostok" {
		t.Errorf("start = %v, want 09:00 in Asia/Vladivostok", got.Start)
	}
	got.Start, got.End, want.Start, want.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("slot = %+v\nwant   %+v", got, want)
	}
	q, _ := url.ParseQuery(mis.attempts()[0].rawQuery)
	if s := q["start"]; len(s) != 2 || s[0] != "ge2025-03-10" || s[1] != "le2025-03-11" {
		t.Errorf("start params = %v, want dates in the region's zone", s)
	}
	if q.Get("status") != "free" || q.Get("specialty") != "27" || q.Get("_count") != "10" {
		t.Errorf("query = %v", q)
	}
}

func TestReadSlotOfAnUnknownIDIsNotFound(t *testing.T) {
	mis := newScriptedMIS(t, answer{status: 200, body: emptyBundle()})
	_, err := newClient(t, testConfig(mis.srv.URL)).ReadSlot(context.Background(), "nope")
	if !errors.Is(err, contracts.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestHoldSendsOnlyThePresentIdentifiersAndDecodesTheHold(t *testing.T) {
	mis := newScriptedMIS(t, answer{status: 201, body: heldAppointment("a1", "saga-1:hold")})
	c := newClient(t, testConfig(mis.srv.URL))
	appt, err := c.Hold(context.Background(), contracts.HoldRequest{
		SlotID: "s1", Patient: contracts.Patient{OMS: "7700000000000001"}, IdempotencyKey: "saga-1:hold"})
	if err != nil {
		t.Fatalf("Hold: %v", err)
	}
	sent := mis.attempts()[0]
	if sent.method != "POST" || sent.path != "/Appointment/$hold" || sent.header.Get("Content-Type") != misv2.ContentType {
		t.Errorf("request %s %s %q", sent.method, sent.path, sent.header.Get("Content-Type"))
	}
	var p misv2.Parameters
	if err := json.Unmarshal(sent.body, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Parameter) != 2 || p.Parameter[0].ValueReference.Reference != "Slot/s1" ||
		*p.Parameter[1].ValueIdentifier != (misv2.Identifier{System: misv2.OMSSystem, Value: "7700000000000001"}) {
		t.Errorf("parameters = %s", sent.body)
	}
	vlad, _ := time.LoadLocation("Asia/Vladivostok")
	want := contracts.Appointment{ID: "a1", SlotID: "s1", Status: contracts.AppointmentHeld,
		HoldExpires: time.Date(2025, 3, 10, 9, 5, 0, 0, vlad), HoldKey: "saga-1:hold"}
	if appt.HoldExpires.Location().String() != "Asia/Vladivostok" || !appt.HoldExpires.Equal(want.HoldExpires) {
		t.Errorf("hold expires %v", appt.HoldExpires)
	}
	appt.HoldExpires, want.HoldExpires = time.Time{}, time.Time{}
	if appt != want {
		t.Errorf("appointment = %+v, want %+v", appt, want)
	}
}

func TestFindHold(t *testing.T) {
	found := emptyBundle()
	found.Entry = []misv2.BundleEntry{entry("match", heldAppointment("a7", "saga-7:hold"))}
	tests := []struct {
		name    string
		answer  misv2.Bundle
		wantID  string
		wantErr error
	}{
		{"a hold that took effect is found by its key", found, "a7", nil},
		{"a hold that never took effect is not found", emptyBundle(), "", contracts.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mis := newScriptedMIS(t, answer{status: 200, body: tt.answer})
			appt, err := newClient(t, testConfig(mis.srv.URL)).FindHold(context.Background(), contracts.HoldRequest{SlotID: "s7", IdempotencyKey: "saga-7:hold"})
			if !errors.Is(err, tt.wantErr) || appt.ID != tt.wantID {
				t.Fatalf("got %q, %v; want %q, %v", appt.ID, err, tt.wantID, tt.wantErr)
			}
			q, _ := url.ParseQuery(mis.attempts()[0].rawQuery)
			if q.Get("identifier") != misv2.IdempotencyKeySystem+"|saga-7:hold" {
				t.Errorf("identifier = %q", q.Get("identifier"))
			}
		})
	}
}

func TestMalformedIDsNeverReachTheMIS(t *testing.T) {
	mis := newScriptedMIS(t, answer{status: 200})
	c := newClient(t, testConfig(mis.srv.URL))
	calls := map[string]func() error{
		"book with a path in the id": func() error {
			_, err := c.Book(context.Background(), contracts.BookRequest{AppointmentID: "../Slot", IdempotencyKey: "k"})
			return err
		},
		"cancel without a key": func() error { _, err := c.Cancel(context.Background(), "a1", ""); return err },
		"hold without a patient": func() error {
			_, err := c.Hold(context.Background(), contracts.HoldRequest{SlotID: "s1", IdempotencyKey: "k"})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, contracts.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	if n := len(mis.attempts()); n != 0 {
		t.Fatalf("MIS saw %d requests", n)
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*fhir.Config)
	}{
		{"a base URL with credentials is rejected", func(c *fhir.Config) { c.BaseURL = "https://user:pw@mis.example/fhir" }},
		{"a non-http base URL is rejected", func(c *fhir.Config) { c.BaseURL = "ftp://mis.example" }},
		{"a relative base URL is rejected", func(c *fhir.Config) { c.BaseURL = "/fhir" }},
		{"an unknown time zone is rejected", func(c *fhir.Config) { c.Region.TimeZone = "Mars/Olympus" }},
		{"a cert without its key is rejected", func(c *fhir.Config) { c.TLS.CertFile = "client.pem" }},
		{"a malformed region code is rejected", func(c *fhir.Config) { c.Region.Code = "7 7" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig("https://mis.example/fhir")
			tt.mutate(&cfg)
			if _, err := fhir.New(cfg, nil); !errors.Is(err, contracts.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}
