package porttest_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/fhir"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/porttest"
)

// The federal FHIR contract's adapter against the reference simulator.
func TestTheFHIRAdapterKeepsThePortsPromises(t *testing.T) {
	region := contracts.Region{Code: "54", Name: "Novosibirsk Oblast", TimeZone: "Asia/Novosibirsk"}
	sim, err := missim.New(missim.Config{Region: region.Code, TimeZone: region.TimeZone, Seed: 5,
		RequireReferral: []string{missim.SpecialtyCardiology}, RequireAttachment: []string{missim.SpecialtyTherapy}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	newClient := func(t *testing.T) contracts.MIS {
		c, err := fhir.New(fhir.Config{Region: region, BaseURL: srv.URL, CallTimeout: 500 * time.Millisecond,
			Retry: fhir.RetryConfig{MaxAttempts: 1}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	client := newClient(t)
	patient := contracts.Patient{SNILS: "11223344595"}
	attached := sim.AttachedFacilityOID(patient.SNILS, "")
	porttest.Run(t, porttest.Target{
		MIS: client, Region: region, Patient: patient, Restarted: newClient,
		Refusals: map[contracts.Kind]func(contracts.Slot) bool{
			contracts.KindReferralRequired: func(s contracts.Slot) bool { return s.Specialty.Code == missim.SpecialtyCardiology },
			contracts.KindNotAttached: func(s contracts.Slot) bool {
				return s.Specialty.Code == missim.SpecialtyTherapy && s.Facility.ID != attached
			},
		},
		LoseAnswers: func(on bool) {
			rate := 0.0
			if on {
				rate = 1
			}
			if err := sim.SetFaults(missim.Faults{TimeoutAfterCommitRate: rate}); err != nil {
				t.Fatal(err)
			}
		},
	})
}
