package contracts_test

import (
	"errors"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
)

func TestSagaCommandsAreValidatedBeforeTheyAreTrusted(t *testing.T) {
	cases := []struct {
		name    string
		payload string
		valid   bool
	}{
		{"a complete v1 command is accepted", `{"v":1,"saga_id":"b1","kind":"booking","region":"77"}`, true},
		{"a cancellation is accepted", `{"v":1,"saga_id":"b1","kind":"cancellation","region":"77","correlation_id":"c"}`, true},
		{"another version is refused", `{"v":2,"saga_id":"b1","kind":"booking","region":"77"}`, false},
		{"a command without saga id is refused", `{"v":1,"kind":"booking","region":"77"}`, false},
		{"an unknown kind is refused", `{"v":1,"saga_id":"b1","kind":"reschedule","region":"77"}`, false},
		{"a malformed region is refused", `{"v":1,"saga_id":"b1","kind":"booking","region":"7 7"}`, false},
		{"an unknown field is refused", `{"v":1,"saga_id":"b1","kind":"booking","region":"77","patient":"x"}`, false},
		{"garbage is refused", `{not json`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := contracts.DecodeSagaCommand([]byte(c.payload))
			if c.valid && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !c.valid && !errors.Is(err, contracts.ErrInvalid) {
				t.Errorf("error %v, want ErrInvalid", err)
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
	for _, err := range []error{contracts.ErrRegionUnavailable, contracts.ErrOutcomeUnknown, contracts.ErrNotFound, nil} {
		if contracts.IsRefusal(err) {
			t.Errorf("%v counted as a refusal", err)
		}
	}
	if contracts.RegionTopic("77") != "fed.saga.r77.v1" {
		t.Error("region topic names are part of the wire and must not change")
	}
}
