package feed_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/feed"
)

// A hand-written publisher in Vladivostok (UTC+10): two clinics, three
// schedules, slots over three days in 2030, among them one written with
// Moscow's offset, one with the specification's hour-only offset, one on
// a schedule the feed lacks, and a busy one.
const (
	manifest = `{"transactionTime":"2030-03-01T00:00:00Z","request":"{base}/$bulk-publish","output":[
		{"type":"Location","url":"{base}/locations.ndjson"},
		{"type":"Schedule","url":"{base}/schedules.ndjson"},
		{"type":"Slot","url":"{base}/slots.ndjson"},
		{"type":"OperationOutcome","url":"{base}/ignored.ndjson"}],"error":[]}`
	locations = `{"resourceType":"Location","id":"L-1","name":"Клиника № 1","identifier":[{"system":"urn:ietf:rfc:3986","value":"urn:oid:1.2.643.5.1.13.13.12.2.25.1"}],"telecom":[{"system":"phone","value":"+7 423 000-00-01"}],"address":{"line":["ул. Светланская, д. 1"],"city":"Владивосток"}}
{"resourceType":"Location","id":"L-2","name":"Клиника № 2","telecom":[{"system":"phone","value":"+7 423 000-00-02"}]}
`
	schedules = `{"resourceType":"Schedule","id":"SCH-1","actor":[{"reference":"PractitionerRole/PR-1","display":"Иванова Анна"},{"reference":"Location/L-1"}],"serviceType":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/service-type","code":"124"},{"system":"urn:oid:1.2.643.5.1.13.13.11.1066","code":"27","display":"Терапия"}]}]}
{"resourceType":"Schedule","id":"SCH-2","actor":[{"reference":"PractitionerRole/PR-2","display":"Петров Илья"},{"reference":"Location/L-2"}],"serviceType":[{"coding":[{"system":"urn:oid:1.2.643.5.1.13.13.11.1066","code":"118","display":"Кардиология"}]}]}
{"resourceType":"Schedule","id":"SCH-3","actor":[{"reference":"HealthcareService/HS-1","display":"Прививочный кабинет"},{"reference":"Location/L-2"}],"serviceType":[{"text":"Вакцинация","coding":[{"code":"vaccination"}]}]}
`
	slots = `{"resourceType":"Slot","id":"S-1","schedule":{"reference":"Schedule/SCH-1"},"status":"free","start":"2030-03-04T09:00:00+10:00","end":"2030-03-04T09:20:00+10:00"}
{"resourceType":"Slot","id":"S-2","schedule":{"reference":"Schedule/SCH-2"},"status":"free","start":"2030-03-04T10:00:00+10","end":"2030-03-04T10:20:00+10","extension":[{"url":"http://hl7.org/fhir/uv/smart-scheduling-links/StructureDefinition/booking-phone","valueString":"+7 423 999-99-99"}]}
{"resourceType":"Slot","id":"S-3","schedule":{"reference":"Schedule/SCH-1"},"status":"free","start":"2030-03-05T09:00:00+10:00","end":"2030-03-05T09:20:00+10:00"}
{"resourceType":"Slot","id":"S-4","schedule":{"reference":"Schedule/SCH-3"},"status":"free","start":"2030-03-06T08:00:00+10:00","end":"2030-03-06T17:00:00+10:00","extension":[{"url":"http://fhir-registry.smarthealthit.org/StructureDefinition/slot-capacity","valueInteger":40}]}
{"resourceType":"Slot","id":"S-5","schedule":{"reference":"Schedule/SCH-1"},"status":"busy","start":"2030-03-04T09:20:00+10:00","end":"2030-03-04T09:40:00+10:00"}
{"resourceType":"Slot","id":"S-6","schedule":{"reference":"Schedule/SCH-1"},"status":"free","start":"2030-03-04T12:00:00+03:00","end":"2030-03-04T12:20:00+03:00"}
{"resourceType":"Slot","id":"S-7","schedule":{"reference":"Schedule/SCH-9"},"status":"free","start":"2030-03-04T11:00:00+10:00","end":"2030-03-04T11:20:00+10:00"}
{"resourceType":"Slot","id":"S-1","schedule":{"reference":"Schedule/SCH-2"},"status":"free","start":"2030-03-04T13:00:00+10:00","end":"2030-03-04T13:20:00+10:00"}
`
)

func handWritten(t *testing.T) (*files, *feed.Source) {
	t.Helper()
	f := serveFiles(t, map[string]string{"/$bulk-publish": manifest,
		"/locations.ndjson": locations, "/schedules.ndjson": schedules, "/slots.ndjson": slots})
	src := newSource(t, f.srv.URL, clockAt(time.Date(2030, 3, 1, 0, 0, 0, 0, time.UTC)))
	mustSync(t, src)
	return f, src
}

func TestSearchFiltersLikeTheRealTimeClient(t *testing.T) {
	_, src := handWritten(t)
	vl, _ := time.LoadLocation(vladivostok)
	day := func(d int) time.Time { return time.Date(2030, 3, d, 0, 0, 0, 0, vl) }
	tests := []struct {
		name string
		q    contracts.SlotQuery
		want string
	}{
		{"no filter lists every free slot by start", contracts.SlotQuery{}, "S-1 S-2 S-3 S-4"},
		{"a specialty matches any coding of the schedule", contracts.SlotQuery{Specialty: "27"}, "S-1 S-3"},
		{"a specialty may name its system", contracts.SlotQuery{Specialty: "http://terminology.hl7.org/CodeSystem/service-type|124"}, "S-1 S-3"},
		{"a practitioner by role id", contracts.SlotQuery{PractitionerID: "PractitionerRole/PR-2"}, "S-2"},
		{"a facility by its OID", contracts.SlotQuery{FacilityID: "urn:oid:1.2.643.5.1.13.13.12.2.25.1"}, "S-1 S-3"},
		{"a facility by its feed id", contracts.SlotQuery{FacilityID: "L-2"}, "S-2 S-4"},
		{"dates are the region's, To inclusive", contracts.SlotQuery{From: day(5), To: day(6)}, "S-3 S-4"},
		{"a UTC midnight keeps its date", contracts.SlotQuery{From: time.Date(2030, 3, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2030, 3, 4, 0, 0, 0, 0, time.UTC)}, "S-1 S-2"},
		{"the limit caps the list", contracts.SlotQuery{Limit: 3}, "S-1 S-2 S-3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := src.SearchSlots(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, sl := range got {
				ids = append(ids, sl.ID)
				if _, off := sl.Start.Zone(); off != 10*3600 {
					t.Fatalf("slot %s not in the region's zone: %v", sl.ID, sl.Start)
				}
			}
			if strings.Join(ids, " ") != tc.want {
				t.Fatalf("got %v, want %s", ids, tc.want)
			}
		})
	}
}

func TestBadQueriesAreRefusedAsInvalid(t *testing.T) {
	_, src := handWritten(t)
	ctx := context.Background()
	for name, q := range map[string]contracts.SlotQuery{
		"a negative limit":           {Limit: -1},
		"a range that ends too soon": {From: time.Date(2030, 3, 5, 0, 0, 0, 0, time.UTC), To: time.Date(2030, 3, 4, 0, 0, 0, 0, time.UTC)},
	} {
		if _, err := src.SearchSlots(ctx, q); !errors.Is(err, contracts.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := src.ReadSlot(ctx, "../etc"); !errors.Is(err, contracts.ErrInvalid) {
		t.Errorf("a malformed id: %v", err)
	}
	if _, err := src.ReadSlot(ctx, "S-404"); !errors.Is(err, contracts.ErrNotFound) {
		t.Errorf("an unknown id: %v", err)
	}
}

func TestSlotsThatCannotBeTrustedAreRefusedAndCounted(t *testing.T) {
	_, src := handWritten(t)
	st := src.Status()
	want := map[string]int{feed.SkipOffset: 1, feed.SkipUnresolved: 1, feed.SkipDuplicate: 1}
	for reason, n := range want {
		if st.Skipped[reason] != n {
			t.Errorf("skipped %s: %d, want %d (all: %v)", reason, st.Skipped[reason], n, st.Skipped)
		}
	}
	if st.OffsetMismatches.Count != 1 || st.OffsetMismatches.Last.SlotID != "S-6" || st.OffsetMismatches.Last.Got != "+03:00" || st.OffsetMismatches.Last.Want != "+10:00" {
		t.Errorf("offset report: %+v", st.OffsetMismatches)
	}
	if st.Slots != 5 {
		t.Errorf("kept %d slots, want S-1..S-5", st.Slots)
	}
}

func TestResolvedSlotsCarryTheirClinicPractitionerAndBookingContact(t *testing.T) {
	_, src := handWritten(t)
	ctx := context.Background()
	s1, _ := src.ReadSlot(ctx, "S-1")
	if s1.Facility.ID != "1.2.643.5.1.13.13.12.2.25.1" || s1.Facility.Address != "ул. Светланская, д. 1, Владивосток" ||
		s1.Practitioner != (contracts.Practitioner{ID: "PR-1", Name: "Иванова Анна"}) || s1.Specialty.Display != "Терапия" {
		t.Errorf("S-1: %+v", s1)
	}
	s4, _ := src.ReadSlot(ctx, "S-4")
	if s4.Facility.ID != "L-2" || s4.Practitioner.Name != "Прививочный кабинет" || s4.Specialty.Display != "Вакцинация" {
		t.Errorf("S-4 on a HealthcareService: %+v", s4)
	}
	contacts := map[string]feed.Contact{
		"S-1": {Phone: "+7 423 000-00-01", Capacity: 1},  // the Location's phone
		"S-2": {Phone: "+7 423 999-99-99", Capacity: 1},  // the HL7 booking-phone extension
		"S-4": {Phone: "+7 423 000-00-02", Capacity: 40}, // the capacity extension
	}
	for id, want := range contacts {
		if got, err := src.Contact(ctx, id); err != nil || got != want {
			t.Errorf("contact of %s: %+v, %v; want %+v", id, got, err, want)
		}
	}
}

func TestAManifestThatDoesNotParseKeepsTheLastGoodData(t *testing.T) {
	f, src := handWritten(t)
	f.set("/$bulk-publish", `{"transactionTime":"2030-03-01T00:00:00Z","output":[{"type":"Slot","url":`)
	err := src.Sync(context.Background())
	if !errors.Is(err, feed.ErrBadManifest) {
		t.Fatalf("sync of a broken manifest: %v", err)
	}
	if st := src.Status(); st.LastOutcome != feed.OutcomeBroken || st.Slots != 5 {
		t.Fatalf("after a broken manifest: %+v", st)
	}
	f.set("/$bulk-publish", `{"transactionTime":"yesterday","output":[]}`)
	if err := src.Sync(context.Background()); !errors.Is(err, feed.ErrBadManifest) || src.Status().Slots != 5 {
		t.Fatalf("a manifest without an instant: %v", err)
	}
}

func TestAFileOnAnotherPortOrARelativeURLIsJudgedByItsOrigin(t *testing.T) {
	f, src := handWritten(t)
	f.set("/$bulk-publish", `{"transactionTime":"2030-03-02T00:00:00Z","output":[{"type":"Slot","url":"slots.ndjson"},{"type":"Schedule","url":"/schedules.ndjson"}]}`)
	mustSync(t, src)
	if st := src.Status(); st.Slots != 5 || st.Locations != 0 {
		t.Fatalf("relative URLs on the origin: %+v", st)
	}
	port := f.srv.URL[strings.LastIndexByte(f.srv.URL, ':')+1:]
	other := strings.TrimSuffix(f.srv.URL, port) + "1"
	f.set("/$bulk-publish", `{"transactionTime":"2030-03-03T00:00:00Z","output":[{"type":"Slot","url":"`+other+`/slots.ndjson"}]}`)
	if err := src.Sync(context.Background()); !errors.Is(err, feed.ErrForeignOrigin) {
		t.Fatalf("a file on another port: %v", err)
	}
}
