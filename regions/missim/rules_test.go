package missim_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/missim"
)

const patientSNILS = "11223344595"

func TestReferralAndAttachmentRules(t *testing.T) {
	s := newSim(t, missim.Config{Region: "54", TimeZone: "Asia/Novosibirsk",
		RequireReferral: []string{missim.SpecialtyCardiology}, RequireAttachment: []string{missim.SpecialtyTherapy}})
	attached := s.AttachedLocation(patientSNILS, "")
	other := "L-1"
	if attached == other {
		other = "L-2"
	}
	for _, tc := range []struct {
		name, query string
		referral    bool
		status      int
		refusal     string
	}{
		{"a cardiologist without a referral is refused", "specialty=" + missim.SpecialtyCardiology, false, http.StatusUnprocessableEntity, misv2.RefusalReferralRequired},
		{"a cardiologist with a referral is held", "specialty=" + missim.SpecialtyCardiology, true, http.StatusOK, ""},
		{"a therapist at another polyclinic is refused as not attached", "specialty=" + missim.SpecialtyTherapy + "&location=" + other, false, http.StatusUnprocessableEntity, misv2.RefusalNotAttached},
		{"a therapist at the patient's polyclinic is held", "specialty=" + missim.SpecialtyTherapy + "&location=" + attached, false, http.StatusOK, ""},
		{"a specialist without rules is held", "specialty=" + missim.SpecialtyOphthalmology, false, http.StatusOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b misv2.Bundle
			s.get(t, "/Slot?status=free&_count=1&"+tc.query, &b)
			slot := decodeSlot(t, b)
			body := holdBody(slot.ID)
			if tc.referral {
				body.Parameter = append(body.Parameter, misv2.Parameter{Name: "referral", ValueString: "R-123"})
			}
			var oo misv2.OperationOutcome
			st := s.post(t, context.Background(), "/Appointment/$hold", tc.name, body, &oo)
			if st != tc.status || oo.RefusalCode() != tc.refusal {
				t.Errorf("hold: %d %q, want %d %q", st, oo.RefusalCode(), tc.status, tc.refusal)
			}
		})
	}
}

func TestHoldValidatesPatientIdentifiers(t *testing.T) {
	s := newSim(t, missim.Config{Region: "54"})
	slotID := s.freeSlot(t, 0)
	for _, tc := range []struct {
		name string
		id   misv2.Identifier
		want int
	}{
		{"a SNILS with a wrong checksum is refused", misv2.Identifier{System: misv2.SNILSSystem, Value: "11223344596"}, http.StatusBadRequest},
		{"an OMS number of 15 digits is refused", misv2.Identifier{System: misv2.OMSSystem, Value: "123456789012345"}, http.StatusBadRequest},
		{"a patient known only by an unknown system is refused", misv2.Identifier{System: "urn:x", Value: "1"}, http.StatusBadRequest},
		{"a valid OMS number is enough", misv2.Identifier{System: misv2.OMSSystem, Value: "1234567890123456"}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := holdBody(slotID)
			body.Parameter[1].ValueIdentifier = &tc.id
			if st := s.post(t, context.Background(), "/Appointment/$hold", tc.name, body, nil); st != tc.want {
				t.Errorf("hold: %d, want %d", st, tc.want)
			}
		})
	}
}
