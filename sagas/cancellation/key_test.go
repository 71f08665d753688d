package cancellation

import (
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

func TestEachRequestToCancelGetsItsOwnIdempotencyKey(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	b := sagas.NewBooking("b1", "c", sagas.SlotSnapshot{}, "77", nil, "", now, time.Minute)
	b.Confirm(contracts.Appointment{ID: "A-1"}, now)
	if err := b.RequestCancel(now); err != nil {
		t.Fatal(err)
	}
	first := cancelKey(b)
	b.CancelRefused(now) // the clinic said no; the citizen asks again
	if err := b.RequestCancel(now); err != nil {
		t.Fatal(err)
	}
	second := cancelKey(b)
	if first != "b1:cancel" || second == first {
		t.Errorf("keys %q then %q: a second request must not replay the first one's refusal", first, second)
	}
}
