package contracts_test

import (
	"testing"

	"github.com/fedhealth/federation/contracts"
)

func TestStepKeysRoundTrip(t *testing.T) {
	for _, id := range []string{"b1", "3f0c2a9e-5d1b-4a7e-9c2f-1b2d3e4f5a6b", "region:77:b1"} {
		for _, step := range []string{contracts.StepHold, contracts.StepBook, contracts.StepRelease, contracts.StepCancel} {
			gotID, gotStep, ok := contracts.ParseStepKey(contracts.StepKey(id, step))
			if !ok || gotID != id || gotStep != step {
				t.Errorf("ParseStepKey(StepKey(%q, %q)) = %q, %q, %v", id, step, gotID, gotStep, ok)
			}
		}
	}
}

func TestParseStepKeyRefusesKeysNoSagaMade(t *testing.T) {
	for _, key := range []string{"", "b1", ":hold", "b1:", ":", "clinic-desk-42"} {
		if id, step, ok := contracts.ParseStepKey(key); ok {
			t.Errorf("ParseStepKey(%q) = %q, %q, true; want not ok", key, id, step)
		}
	}
}

func TestHoldStepIsTheBookingsHoldOrAMovesHold(t *testing.T) {
	cases := []struct {
		step string
		want bool
	}{
		{contracts.StepHold, true},
		{contracts.StepRescheduleHold + ".5d1b4a7e", true},
		{contracts.StepRescheduleHold, false}, // a move's keys always name the move
		{contracts.StepBook, false},
		{contracts.StepRescheduleBook + ".5d1b4a7e", false},
		{contracts.StepRescheduleCancel + ".5d1b4a7e", false},
	}
	for _, tc := range cases {
		if got := contracts.HoldStep(tc.step); got != tc.want {
			t.Errorf("HoldStep(%q) = %v, want %v", tc.step, got, tc.want)
		}
	}
}
