package breaker

import (
	"context"
	"fmt"

	"github.com/fedhealth/federation/contracts"
)

var (
	_ contracts.Shifter      = (*MIS)(nil)
	_ contracts.ShiftCapable = (*MIS)(nil)
)

// CanShift reports whether the wrapped MIS moves appointments natively, so
// contracts.ShifterOf sees through the breaker.
func (m *MIS) CanShift() bool {
	_, ok := m.next.(contracts.Shifter)
	return ok
}

// Shift passes the native move through the breaker and the budgets of the
// sagas' calls, like Hold and Book. Without a native move in the wrapped
// MIS it is ErrUnsupported, before the breaker counts anything.
func (m *MIS) Shift(ctx context.Context, req contracts.ShiftRequest) (contracts.Appointment, error) {
	sh, ok := m.next.(contracts.Shifter)
	if !ok {
		return contracts.Appointment{}, fmt.Errorf("shift in region %s: the MIS has no native move: %w", m.cfg.Region, contracts.ErrUnsupported)
	}
	return run(m, ctx, "shift", func(ctx context.Context) (contracts.Appointment, error) { return sh.Shift(ctx, req) })
}
