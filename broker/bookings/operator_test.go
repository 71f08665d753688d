package bookings

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

func TestAPageTokenComesBackAsTheCursorItWasMadeOf(t *testing.T) {
	b := &sagas.Booking{ID: "6f1c4d2a-7f0e-4c55-9a59-2b8f3c1e9d10", UpdatedAt: time.Unix(0, 1764650000123456789)}
	got, err := decodePageToken(encodePageToken(b))
	if err != nil || !got.At.Equal(b.UpdatedAt) || got.ID != b.ID {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	for _, bad := range []string{"!!", "bm90LWEtY3Vyc29y", encodePageToken(&sagas.Booking{ID: "", UpdatedAt: time.Unix(0, 5)}),
		strings.Repeat("QUFB", 60)} {
		if _, err := decodePageToken(bad); !errors.Is(err, contracts.ErrInvalid) {
			t.Errorf("token %q: %v, want ErrInvalid", bad, err)
		}
	}
}

func TestADeclineNoteIsPlainTextWithoutIdentifiers(t *testing.T) {
	tests := []struct {
		name, note string
		ok         bool
	}{
		{"no note is fine", "", true},
		{"a sentence is fine", "Врач в отпуске до понедельника.", true},
		{"a phone number written as usual is fine", "Позвоните в регистратуру: +7 (423) 123-45-67.", true},
		{"a control character is refused", "closed\x1b[2J", false},
		{"a SNILS as written is refused", "SNILS 123-456-789 01 does not match", false},
		{"an OMS policy number is refused", "policy 1234567890123456 unknown", false},
		{"broken UTF-8 is refused", "closed \xff", false},
		{"a note too long is refused", strings.Repeat("a", maxNote+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The note and the reason (its other name) are one text, one rule.
			for field, cmd := range map[string]DeclineBooking{"note": {Note: tt.note}, "reason": {Reason: tt.note}} {
				_, err := cmd.text()
				if (err == nil) != tt.ok {
					t.Fatalf("as %s: %v, want ok=%v", field, err, tt.ok)
				}
				if err != nil && !strings.HasPrefix(err.Error(), field+" must") {
					t.Errorf("as %s: %q, want the refusal to name the field", field, err)
				}
			}
		})
	}
}

func TestADeclineGivenOnlyAReasonIsTheGenericDecline(t *testing.T) {
	tests := []struct {
		name string
		cmd  DeclineBooking
		want sagas.DeclineCode
	}{
		{"a code alone is that code", DeclineBooking{Code: "duplicate"}, sagas.DeclineDuplicate},
		{"a reason alone is the generic decline", DeclineBooking{Reason: "Врач в отпуске."}, sagas.DeclineOther},
		{"a code with a reason keeps the code", DeclineBooking{Code: "practitioner_absent", Reason: "Врач в отпуске."}, sagas.DeclinePractitionerAbsent},
		{"blanks are no reason", DeclineBooking{Reason: "  "}, ""},
		{"a note alone names no code", DeclineBooking{Note: "Врач в отпуске."}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cmd.DeclineCode(); got != tt.want {
				t.Errorf("code %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := (DeclineBooking{Reason: "a", Note: "b"}).text(); !errors.Is(err, contracts.ErrInvalid) {
		t.Errorf("reason and note together: %v, want invalid", err)
	}
}
