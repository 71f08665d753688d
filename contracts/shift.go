package contracts

import "context"

// Shifter is the optional port of an MIS that moves a booked appointment
// to another slot in one call, keeping the appointment's id (jsonrpc's
// shiftAppointment). The reschedule saga uses it where the region has it
// (ShifterOf) and otherwise books the new slot and cancels the old one.
//
// Shift is safe for concurrent use and idempotent by its key: a repeat
// with the same key returns the first call's result and moves nothing
// more, so a caller that saw ErrOutcomeUnknown repeats it with the same
// key. A refusal (ErrSlotTaken, ErrNotAttached, ErrReferralRequired,
// ErrNotFound for an unknown slot or appointment) leaves the appointment
// where it was. Errors are those of MIS; ErrUnsupported when the region
// turns out to have no native move (a decorator around an MIS without it),
// before anything reached the MIS.
type Shifter interface {
	Shift(ctx context.Context, req ShiftRequest) (Appointment, error)
}

// ShiftRequest asks the MIS to move AppointmentID to SlotID.
type ShiftRequest struct {
	AppointmentID  string
	SlotID         string // the MIS's id of the new slot
	IdempotencyKey string
}

// ShiftCapable is implemented by decorators (the region's breaker) that
// pass Shift through when, and only when, the MIS they wrap has it.
type ShiftCapable interface {
	CanShift() bool
}

// ShifterOf returns mis as a Shifter when it can move an appointment
// natively: it implements Shifter and, if it is a decorator, says it can.
func ShifterOf(mis MIS) (Shifter, bool) {
	s, ok := mis.(Shifter)
	if !ok {
		return nil, false
	}
	if c, ok := mis.(ShiftCapable); ok && !c.CanShift() {
		return nil, false
	}
	return s, true
}
