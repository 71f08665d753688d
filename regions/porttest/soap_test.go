package porttest_test

import (
	"context"
	"github.com/fedhealth/federation/regions/mishttp"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/soapsim"
	"github.com/fedhealth/federation/regions/porttest"
	"github.com/fedhealth/federation/regions/soap"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

// The e-registry SOAP adapter, with its real ledger (SQLite), against the
// SOAP-style simulator: the same promises through the port, although the
// style has neither holds nor idempotency keys.
func TestTheSOAPAdapterKeepsThePortsPromises(t *testing.T) {
	region := contracts.Region{Code: "25", Name: "Primorsky Krai", TimeZone: "Asia/Vladivostok"}
	sim, err := soapsim.New(soapsim.Config{Region: region.Code, TimeZone: region.TimeZone, Seed: 7,
		RequireReferral: []string{missim.SpecialtyCardiology}, RequireAttachment: []string{missim.SpecialtyTherapy}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	db, _ := sqldbtest.SQLite(t)
	l, err := ledger.New(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	newClient := func(t *testing.T) contracts.MIS {
		// 5 s, not the fhir suite's 500 ms: the style has no region-wide
		// schedule, so the suite's search of 1000 slots is one answer of
		// up to 1000 per organisation (three here), which a loaded CI
		// machine under the race detector did not always read within 500 ms.
		c, err := soap.New(soap.Config{Region: region, EndpointConfig: mishttp.EndpointConfig{Endpoint: srv.URL + "/", CallTimeout: 5 * time.Second, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}}, l, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	client := newClient(t)
	patient := contracts.Patient{SNILS: "11223344595", OMS: "7700000000001230"}
	attached := sim.AttachedFacility(patient.SNILS, patient.OMS)
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
