package missim_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/missim"
)

func decodeSlot(t *testing.T, b misv2.Bundle) misv2.Slot {
	t.Helper()
	if len(b.Entry) == 0 {
		t.Fatal("no slot found")
	}
	var s misv2.Slot
	if err := json.Unmarshal(b.Entry[0].Resource, &s); err != nil || s.ResourceType != "Slot" {
		t.Fatalf("first entry is not a slot: %v", err)
	}
	return s
}

func TestDefaultsGiveAFewThousandFreeSlots(t *testing.T) {
	s := newSim(t, missim.Config{Region: "77"})
	var b misv2.Bundle
	s.get(t, "/Slot?status=free&_count=0", &b)
	if b.Total < 2000 || b.Total > 20000 {
		t.Errorf("%d free slots, want a few thousand", b.Total)
	}
}

func TestSameSeedGivesSameSlots(t *testing.T) {
	a := newSim(t, missim.Config{Region: "77", Seed: 3})
	b := newSim(t, missim.Config{Region: "77", Seed: 3})
	var ba, bb misv2.Bundle
	a.get(t, "/Slot?_count=50", &ba)
	b.get(t, "/Slot?_count=50", &bb)
	ja, _ := json.Marshal(ba.Entry)
	jb, _ := json.Marshal(bb.Entry)
	if strings.ReplaceAll(string(ja), a.url, "") != strings.ReplaceAll(string(jb), b.url, "") {
		t.Error("two simulators with one seed disagree on their slots")
	}
}

func TestSlotsAreInTheRegionsTimeZone(t *testing.T) {
	s := newSim(t, missim.Config{Region: "25", TimeZone: "Asia/Vladivostok"})
	var b misv2.Bundle
	s.get(t, "/Slot?status=free&start=ge2026-03-04&start=le2026-03-04&_count=1000", &b)
	if b.Total == 0 {
		t.Fatal("no slots on 2026-03-04")
	}
	for _, e := range b.Entry {
		var sl misv2.Slot
		_ = json.Unmarshal(e.Resource, &sl)
		if sl.ResourceType != "Slot" {
			continue
		}
		if !strings.HasPrefix(sl.Start, "2026-03-04T") || !strings.HasSuffix(sl.Start, "+10:00") {
			t.Errorf("slot %s starts %s; want 2026-03-04 local time at +10:00", sl.ID, sl.Start)
		}
	}
}

func TestCountIsCappedAtOneThousand(t *testing.T) {
	s := newSim(t, missim.Config{Region: "77"})
	var b misv2.Bundle
	s.get(t, "/Slot?_count=5000", &b)
	slots := 0
	for _, e := range b.Entry {
		if e.Search.Mode == "match" {
			slots++
		}
	}
	if slots != 1000 {
		t.Errorf("_count=5000 returned %d slots, want 1000", slots)
	}
}

func TestDirectoryLooksLikeARussianRegion(t *testing.T) {
	s := newSim(t, missim.Config{Region: "78", TimeZone: "Europe/Moscow"})
	var b misv2.Bundle
	s.get(t, "/Slot?_count=200", &b)
	for _, e := range b.Entry {
		var head struct{ ResourceType string }
		_ = json.Unmarshal(e.Resource, &head)
		switch head.ResourceType {
		case "Location":
			var l misv2.Location
			_ = json.Unmarshal(e.Resource, &l)
			if !strings.HasPrefix(l.Identifier[0].Value, "urn:oid:1.2.643.5.1.13.13.12.2.78.") || !strings.Contains(l.Name, "поликлиника") {
				t.Errorf("location %s: %q %q", l.ID, l.Identifier[0].Value, l.Name)
			}
		case "PractitionerRole":
			var r misv2.PractitionerRole
			_ = json.Unmarshal(e.Resource, &r)
			if len(strings.Fields(r.Practitioner.Display)) != 3 || !strings.HasPrefix(r.Practitioner.Reference, "Practitioner/") {
				t.Errorf("role %s: practitioner %+v", r.ID, r.Practitioner)
			}
			if len(r.Specialty) != 1 || r.Specialty[0].Coding[0].System != misv2.SpecialtySystem {
				t.Errorf("role %s: specialty %+v, want one coding of %s", r.ID, r.Specialty, misv2.SpecialtySystem)
			}
		case "Practitioner":
			var p misv2.Practitioner
			_ = json.Unmarshal(e.Resource, &p)
			if len(p.Identifier) != 1 || p.Identifier[0].System != misv2.SNILSSystem || !validSNILS(p.Identifier[0].Value) ||
				len(p.Name) != 1 || len(strings.Fields(p.Name[0].Text)) != 3 {
				t.Errorf("practitioner %s: identifier %+v name %+v", p.ID, p.Identifier, p.Name)
			}
		}
	}
}

// validSNILS checks the SNILS checksum independently of the simulator.
func validSNILS(s string) bool {
	if len(s) != 11 {
		return false
	}
	sum := 0
	for i := range 9 {
		sum += int(s[i]-'0') * (9 - i)
	}
	sum = sum % 101 % 100
	return fmt.Sprintf("%02d", sum) == s[9:]
}

func TestConfigIsValidated(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  missim.Config
	}{
		{"a missing region is refused", missim.Config{}},
		{"a region that is not a code is refused", missim.Config{Region: "Moscow"}},
		{"an unknown time zone is refused", missim.Config{Region: "77", TimeZone: "Mars/Olympus"}},
		{"an inverted working day is refused", missim.Config{Region: "77", DayStartHour: 20, DayEndHour: 8}},
		{"a negative hold TTL is refused", missim.Config{Region: "77", HoldTTL: -time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := missim.New(tc.cfg, nil); err == nil {
				t.Error("New accepted the config")
			}
		})
	}
}
