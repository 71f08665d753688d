package breaker_test

import (
	"context"
	"errors"
	"testing"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/breaker"
)

// readerMIS reads appointments by id, failing as the fake does.
type readerMIS struct{ *fakeMIS }

func (r readerMIS) ReadAppointment(ctx context.Context, id string) (contracts.Appointment, error) {
	return contracts.Appointment{ID: id}, r.do(ctx)
}

// The optional reads pass through the breaker (and count for it) when the
// MIS behind has them, and are refused as unsupported, without a call,
// when it has not.
func TestTheOptionalReadsPassThroughOrAreUnsupported(t *testing.T) {
	ctx := context.Background()
	plain := newBreaker(t, breaker.Config{Region: "77"}, &fakeMIS{})
	if _, err := plain.ReadAppointment(ctx, "A-1"); !errors.Is(err, contracts.ErrUnsupported) {
		t.Errorf("read by id of an MIS without it: %v", err)
	}
	if _, err := plain.PatientAppointments(ctx, contracts.Patient{OMS: "1"}); !errors.Is(err, contracts.ErrUnsupported) {
		t.Errorf("read by patient of an MIS without it: %v", err)
	}
	f := &fakeMIS{}
	m := newBreaker(t, breaker.Config{Region: "77", ConsecutiveFailures: 2}, readerMIS{f})
	if a, err := m.ReadAppointment(ctx, "A-1"); err != nil || a.ID != "A-1" {
		t.Fatalf("read through: %+v, %v", a, err)
	}
	f.answerWith(contracts.ErrRegionUnavailable)
	for range 2 {
		_, _ = m.ReadAppointment(ctx, "A-1")
	}
	if m.Status() != contracts.RegionUnavailable {
		t.Errorf("failing reads left the breaker %s, want it open", m.Status())
	}
}
