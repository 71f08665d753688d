package contracts_test

import (
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
		{"a saga kind this version does not know is unsupported", `{"v":1,"saga_id":"b1","kind":"reschedule","region":"77"}`},
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
