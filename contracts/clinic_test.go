package contracts_test

import (
	"errors"
	"testing"

	"github.com/fedhealth/federation/contracts"
)

func TestClinicEventsAreValidatedLikeSagaCommands(t *testing.T) {
	const at = `"at":"2026-12-01T09:00:00Z"`
	cases := []struct {
		name    string
		payload string
		want    error
	}{
		{"a cancellation with the clinic's reason is accepted", `{"v":1,"event_id":"e","region":"77","appointment_id":"A","change":"cancelled","reason_code":"clinic_closed",` + at + `}`, nil},
		{"a booking made elsewhere with its channel and keys is accepted", `{"v":1,"event_id":"e","region":"77","appointment_id":"A","change":"booked_elsewhere","channel":"kiosk","patient_keys":["k"],"start":"2026-12-02T09:00:00Z","end":"2026-12-02T09:20:00Z",` + at + `}`, nil},
		{"malformed JSON is invalid", `{`, contracts.ErrInvalid},
		{"a newer version is unsupported", `{"v":2,"event_id":"e"}`, contracts.ErrUnsupported},
		{"an unknown change is unsupported", `{"v":1,"event_id":"e","region":"77","appointment_id":"A","change":"teleported",` + at + `}`, contracts.ErrUnsupported},
		{"an unknown field is unsupported", `{"v":1,"event_id":"e","region":"77","appointment_id":"A","change":"visited","room":"3",` + at + `}`, contracts.ErrUnsupported},
		{"an event without the MIS's time is invalid", `{"v":1,"event_id":"e","region":"77","appointment_id":"A","change":"visited"}`, contracts.ErrInvalid},
		{"a cancellation without a known reason is invalid", `{"v":1,"event_id":"e","region":"77","appointment_id":"A","change":"cancelled",` + at + `}`, contracts.ErrInvalid},
		{"a move without its new time is invalid", `{"v":1,"event_id":"e","region":"77","appointment_id":"A","change":"moved",` + at + `}`, contracts.ErrInvalid},
		{"a booking made elsewhere without patient keys is invalid", `{"v":1,"event_id":"e","region":"77","appointment_id":"A","change":"booked_elsewhere","channel":"kiosk","start":"2026-12-02T09:00:00Z","end":"2026-12-02T09:20:00Z",` + at + `}`, contracts.ErrInvalid},
		{"an unknown channel is invalid", `{"v":1,"event_id":"e","region":"77","appointment_id":"A","change":"booked_elsewhere","channel":"fax","patient_keys":["k"],"start":"2026-12-02T09:00:00Z","end":"2026-12-02T09:20:00Z",` + at + `}`, contracts.ErrInvalid},
		{"an operator's visit with a note is accepted", `{"v":1,"event_id":"e","region":"27","appointment_id":"A","change":"visited","origin":"operator","note":"See you in a month.",` + at + `}`, nil},
		{"a note from anyone but an operator is invalid", `{"v":1,"event_id":"e","region":"78","appointment_id":"A","change":"visited","note":"hello",` + at + `}`, contracts.ErrInvalid},
		{"an unknown origin is unsupported", `{"v":1,"event_id":"e","region":"27","appointment_id":"A","change":"visited","origin":"kiosk",` + at + `}`, contracts.ErrUnsupported},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := contracts.DecodeClinicEvent([]byte(c.payload))
			if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
				t.Errorf("DecodeClinicEvent = %v, want %v", err, c.want)
			}
		})
	}
}
