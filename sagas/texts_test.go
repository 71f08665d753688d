package sagas

import (
	"testing"

	"github.com/fedhealth/federation/contracts"
)

func TestEveryCodeHasBothTextsAndEnglishMapsBack(t *testing.T) {
	seen := map[string]string{}
	for _, code := range Codes() {
		ru, en := Text(code, LangRU), Text(code, LangEN)
		if ru == "" || en == "" || ru == en {
			t.Errorf("code %s: ru %q, en %q: want two distinct texts", code, ru, en)
		}
		if other, dup := seen[en]; dup {
			t.Errorf("codes %s and %s share the English text %q: rows could not map back", code, other, en)
		}
		seen[en] = code
		if got, _ := CodeOf(en); got != code {
			t.Errorf("CodeOf(%q) = %q, want %q", en, got, code)
		}
	}
}

func TestEveryReasonAndDeclineAndClinicReasonHasACode(t *testing.T) {
	for _, r := range reasons {
		if c, _ := CodeOf(r); c == "" {
			t.Errorf("reason %q has no code", r)
		}
	}
	for _, d := range DeclineCodes() {
		r, _ := DeclineReason(d)
		if c, _ := CodeOf(r); c != DeclineReasonCode(d) {
			t.Errorf("decline %s maps to %q, want %q", d, c, DeclineReasonCode(d))
		}
	}
	for _, r := range contracts.ClinicCancelReasons {
		if Text(ClinicCancelCode(r), LangRU) == "" {
			t.Errorf("clinic reason %s has no text", r)
		}
	}
}

func TestANoteFromTheClinicSplitsFromItsPrefix(t *testing.T) {
	code, note := CodeOf(DetailClinicNote + "call us")
	if code != CodeClinicNote || note != "call us" {
		t.Fatalf("CodeOf = %q, %q", code, note)
	}
}
