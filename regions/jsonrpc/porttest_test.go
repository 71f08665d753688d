package jsonrpc_test

import (
	"testing"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/porttest"
)

// The city JSON-RPC adapter, with the real SQLite ledger, against its
// simulator: the same suite as every kind.
func TestTheJSONRPCAdapterKeepsThePortsPromises(t *testing.T) {
	r := newRig(t)
	attached := r.sim.AttachedFacility(patient.OMS)
	porttest.Run(t, porttest.Target{
		MIS: r.client, Region: moscow, Patient: patient,
		Refusals: map[contracts.Kind]func(contracts.Slot) bool{
			contracts.KindReferralRequired: func(s contracts.Slot) bool { return s.Specialty.Code == missim.SpecialtyCardiology },
			contracts.KindNotAttached: func(s contracts.Slot) bool {
				return s.Specialty.Code == missim.SpecialtyTherapy && s.Facility.ID != attached
			},
		},
		LoseAnswers: func(on bool) { r.loseAnswers(t, on) },
		Restarted:   func(t *testing.T) contracts.MIS { return r.newClient(t) },
	})
}
