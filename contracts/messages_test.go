package contracts_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
)

func TestSagaCommandsAreValidatedBeforeTheyAreTrusted(t *testing.T) {
	for _, ok := range []string{
		`{"v":1,"saga_id":"b1","kind":"booking","region":"77"}`,
		`{"v":1,"saga_id":"b1","kind":"cancellation","region":"77","correlation_id":"c"}`,
	} {
		if _, err := contracts.DecodeSagaCommand([]byte(ok)); err != nil {
			t.Errorf("a complete v1 command %s is refused: %v", ok, err)
		}
	}
	malformed := []struct {
		name    string
		payload string
	}{
		{"garbage is invalid", `{not json`},
		{"a command with trailing garbage is invalid", `{"v":1,"saga_id":"b1","kind":"booking","region":"77"} x`},
		{"a version of the wrong type is invalid", `{"v":"1","saga_id":"b1","kind":"booking","region":"77"}`},
		{"a command without version is invalid", `{"saga_id":"b1","kind":"booking","region":"77"}`},
		{"a negative version is invalid", `{"v":-1,"saga_id":"b1","kind":"booking","region":"77"}`},
		{"a command without saga id is invalid", `{"v":1,"kind":"booking","region":"77"}`},
		{"a command without kind is invalid", `{"v":1,"saga_id":"b1","region":"77"}`},
		{"a malformed region is invalid", `{"v":1,"saga_id":"b1","kind":"booking","region":"7 7"}`},
		{"a malformed region is invalid even beside a newer field", `{"v":1,"saga_id":"b1","kind":"booking","region":"7 7","new_slot_id":"s2"}`},
	}
	for _, c := range malformed {
		t.Run(c.name, func(t *testing.T) {
			_, err := contracts.DecodeSagaCommand([]byte(c.payload))
			if k := contracts.KindOf(err); k != contracts.KindInvalid || !errors.Is(err, contracts.ErrInvalid) {
				t.Errorf("error %v of kind %v, want invalid", err, k)
			}
		})
	}
}

// A rolling deploy runs old and new instances side by side: what a newer
// instance writes must come back to a newer instance, not die in the
// dead-letter topic of an old one.
func TestCommandsWrittenByANewerVersionAreUnsupportedNotInvalid(t *testing.T) {
	cases := []struct {
		name    string
		payload string
	}{
		{"a command of a higher version is unsupported", `{"v":2,"saga_id":"b1","kind":"booking","region":"77"}`},
		{"a higher version is unsupported even if it dropped a v1 field", `{"v":2,"booking":"b1","region":"77"}`},
		{"a saga kind this version does not know is unsupported", `{"v":1,"saga_id":"b1","kind":"waitlist","region":"77"}`},
		{"a field this version does not know is unsupported", `{"v":1,"saga_id":"b1","kind":"booking","region":"77","new_slot_id":"s2"}`},
		{"a reschedule of v2 with its new field is unsupported", `{"v":2,"saga_id":"b1","kind":"reschedule","region":"77","new_slot_id":"s2"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd, err := contracts.DecodeSagaCommand([]byte(c.payload))
			if k := contracts.KindOf(err); k != contracts.KindUnsupported || !errors.Is(err, contracts.ErrUnsupported) {
				t.Fatalf("error %v of kind %v, want unsupported", err, k)
			}
			if contracts.KindOf(err).Permanent() {
				t.Error("an unsupported command counts as permanent: it would be dead-lettered")
			}
			if cmd.Region != "77" {
				t.Errorf("region %q: the command is not returned for the logs", cmd.Region)
			}
		})
	}
}

func TestBookingEventsCarryWhatAnalyticsNeed(t *testing.T) {
	ok := contracts.BookingEvent{Version: 1, EventID: "e", BookingID: "b", Region: "77", Status: "confirmed", At: time.Now()}
	if err := ok.Validate(); err != nil {
		t.Errorf("a complete event is refused: %v", err)
	}
	noTime := ok
	noTime.At = time.Time{}
	if err := noTime.Validate(); !errors.Is(err, contracts.ErrInvalid) {
		t.Errorf("an event without time: %v, want ErrInvalid", err)
	}
}

func TestRefusalsAreTheMISsBusinessAnswersOnly(t *testing.T) {
	for _, err := range []error{contracts.ErrSlotTaken, contracts.ErrHoldExpired, contracts.ErrNotAttached, contracts.ErrReferralRequired} {
		if !contracts.IsRefusal(err) {
			t.Errorf("%v is not a refusal", err)
		}
	}
	for _, err := range []error{contracts.ErrRegionUnavailable, contracts.ErrOutcomeUnknown, contracts.ErrNotFound, contracts.ErrUnsupported, nil} {
		if contracts.IsRefusal(err) {
			t.Errorf("%v counted as a refusal", err)
		}
	}
	if contracts.RegionTopic("77") != "fed.saga.r77.v1" {
		t.Error("region topic names are part of the wire and must not change")
	}
}

func TestBookingEventsGrowByOptionalFieldsThatOlderReadersIgnore(t *testing.T) {
	older := []byte(`{"v":1,"event_id":"e","booking_id":"b","region":"77","status":"confirmed","at":"2026-12-01T10:00:00Z"}`)
	e, err := contracts.DecodeBookingEvent(older)
	if err != nil || e.RequestedAt != nil || e.Saga != "" {
		t.Fatalf("an event written before the optional fields: %+v, %v", e, err)
	}
	newer := []byte(`{"v":1,"event_id":"e","booking_id":"b","region":"77","status":"confirmed","at":"2026-12-01T10:00:00Z",
		"saga":"booking","requested_at":"2026-12-01T09:59:58Z","a_field_from_tomorrow":{"x":1}}`)
	e, err = contracts.DecodeBookingEvent(newer)
	if err != nil || e.Saga != contracts.SagaBooking || e.RequestedAt == nil || e.At.Sub(*e.RequestedAt) != 2*time.Second {
		t.Fatalf("an event with a field this reader does not know: %+v, %v", e, err)
	}
	if _, err := contracts.DecodeBookingEvent([]byte(`{"v":1,`)); !errors.Is(err, contracts.ErrInvalid) {
		t.Errorf("malformed JSON: %v, want ErrInvalid", err)
	}
}

func TestSlotLeadTimesNeedARegionAndBothTimes(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	ok := contracts.SlotLeadTime{Version: 1, EventID: "e", Region: "77", Specialty: "therapist", ObservedAt: at, EarliestStart: at.Add(26 * time.Hour)}
	body, _ := json.Marshal(ok)
	if got, err := contracts.DecodeSlotLeadTime(body); err != nil || !got.EarliestStart.Equal(ok.EarliestStart) {
		t.Errorf("a complete observation: %+v, %v", got, err)
	}
	noStart := ok
	noStart.EarliestStart = time.Time{}
	if err := noStart.Validate(); !errors.Is(err, contracts.ErrInvalid) {
		t.Errorf("an observation without the slot's start: %v", err)
	}
}

func TestARegionTopicIsKnownBehindANamespace(t *testing.T) {
	for topic, want := range map[string]bool{
		contracts.RegionTopic("77"):             true,
		"staging." + contracts.RegionTopic("5"): true,
		contracts.TopicEvents:                   false,
		contracts.TopicDeadLetter:               false,
		"fed.saga.r.v1":                         false,
	} {
		if got := contracts.IsRegionTopic(topic); got != want {
			t.Errorf("Iscontracts.RegionTopic(%q) = %v, want %v", topic, got, want)
		}
	}
}
