package jsonrpc

import (
	"context"
	"errors"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// Hold makes the appointment at the MIS (createAppointment), recording the
// intent in the ledger before the call and the appointment id after it;
// see the package doc for why a hold is a real appointment here. A repeat
// with the same key returns the recorded appointment without calling the
// MIS, or, when only the intent is recorded, reads back before it would
// create anything.
func (c *Client) Hold(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	if req.IdempotencyKey == "" || req.Patient.OMS == "" || req.Patient.BirthDate == "" {
		return contracts.Appointment{}, c.errorf("Hold", "idempotency key, OMS policy and birth date are required: %w", contracts.ErrInvalid)
	}
	if _, _, _, ok := ParseSlotID(req.SlotID); !ok {
		return contracts.Appointment{}, c.errorf("Hold", "slot %q is not a slot id of this kind: %w", req.SlotID, contracts.ErrNotFound)
	}
	defer c.steps.lock(req.IdempotencyKey)()
	c.patients.remember(req.IdempotencyKey, "", req.Patient) // before the call: a lost answer is read back by it
	ref := c.patientRef(req.IdempotencyKey, req.Patient)
	slotID, recordedRef, apptID, err := c.ledger.Get(ctx, c.cfg.Region.Code, req.IdempotencyKey)
	switch {
	case errors.Is(err, contracts.ErrNotFound):
		return c.holdFirst(ctx, req, ref)
	case err != nil:
		return contracts.Appointment{}, c.errorf("Hold", "ledger: %w", err)
	case slotID != req.SlotID || recordedRef != ref:
		return contracts.Appointment{}, c.errorf("Hold", "idempotency key already used for another slot or patient: %w", contracts.ErrInvalid)
	case apptID != "":
		c.patients.remember("", apptID, req.Patient)
		return held(apptID, req.SlotID, req.IdempotencyKey), nil
	}
	return c.resolve(ctx, req)
}

// holdFirst is the first Hold of a key: record the intent, then create.
func (c *Client) holdFirst(ctx context.Context, req contracts.HoldRequest, ref string) (contracts.Appointment, error) {
	created, err := c.ledger.Begin(ctx, c.cfg.Region.Code, req.IdempotencyKey, req.SlotID, ref)
	if err != nil {
		return contracts.Appointment{}, c.errorf("Hold", "ledger: record intent: %w", err) // nothing made yet
	}
	if !created {
		// Another instance began this step since our Get and is at the MIS
		// now: calling too would race it to the same slot.
		return contracts.Appointment{}, c.errorf("Hold", "the same hold is in flight elsewhere: %w", contracts.ErrConflict)
	}
	return c.create(ctx, req)
}

// resolve is a repeat after an unknown outcome: only the intent is
// recorded. The read-back decides; createAppointment runs again only when
// the patient has nothing live on the slot.
func (c *Client) resolve(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	if id, found, err := c.findOnSlot(ctx, req.Patient, req.SlotID); err != nil || found {
		if err != nil {
			return contracts.Appointment{}, err
		}
		return c.record(ctx, req.IdempotencyKey, req.SlotID, id, req.Patient)
	}
	appt, err := c.create(ctx, req)
	if errors.Is(err, contracts.ErrSlotTaken) {
		// The lost call may have landed at the MIS after the read-back: the
		// taker may be this very step.
		if id, found, rerr := c.findOnSlot(ctx, req.Patient, req.SlotID); rerr == nil && found {
			return c.record(ctx, req.IdempotencyKey, req.SlotID, id, req.Patient)
		}
	}
	return appt, err
}

func (c *Client) create(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	resource, start, end, _ := ParseSlotID(req.SlotID) // Hold checked it
	var res CreateResult
	p := &CreateParams{OmsNumber: req.Patient.OMS, BirthDate: req.Patient.BirthDate,
		AvailableResourceID: resource, StartTime: c.wire(start), EndTime: c.wire(end)}
	if err := c.call(ctx, MethodCreate, p, &res); err != nil {
		return contracts.Appointment{}, err
	}
	if res.ID == "" {
		return contracts.Appointment{}, c.errorf(MethodCreate, "result has no appointment id: %w", contracts.ErrOutcomeUnknown)
	}
	return c.record(ctx, req.IdempotencyKey, req.SlotID, res.ID, req.Patient)
}

// record writes the appointment id into the ledger. If that fails, the
// appointment stands unrecorded: the outcome is unknown to the caller, and
// its repeat finds the appointment by read-back.
func (c *Client) record(ctx context.Context, key, slotID, apptID string, who contracts.Patient) (contracts.Appointment, error) {
	c.patients.remember("", apptID, who)
	if err := c.ledger.Done(ctx, c.cfg.Region.Code, key, apptID); err != nil {
		return contracts.Appointment{}, c.errorf("Hold", "ledger: record appointment: %v: %w", err, contracts.ErrOutcomeUnknown)
	}
	return held(apptID, slotID, key), nil
}

func held(apptID, slotID, key string) contracts.Appointment {
	return contracts.Appointment{ID: apptID, SlotID: slotID, Status: contracts.AppointmentHeld, HoldKey: key}
}

// receptions reads back the patient's appointments.
func (c *Client) receptions(ctx context.Context, who contracts.Patient) ([]Reception, error) {
	var res ReceptionsResult
	if err := c.call(ctx, MethodReceptions, &ReceptionsParams{OmsNumber: who.OMS, BirthDate: who.BirthDate}, &res); err != nil {
		return nil, err
	}
	return res.Appointments, nil
}

// findOnSlot reads back the patient's live appointment on slotID: same
// resource, same start instant, booked.
func (c *Client) findOnSlot(ctx context.Context, who contracts.Patient, slotID string) (apptID string, found bool, err error) {
	resource, start, _, _ := ParseSlotID(slotID)
	list, err := c.receptions(ctx, who)
	if err != nil {
		return "", false, err
	}
	for _, r := range list {
		t, terr := time.Parse(time.RFC3339, r.StartTime)
		if terr == nil && r.AvailableResourceID == resource && t.Equal(start) && r.Status == StatusBooked {
			return r.ID, true, nil
		}
	}
	return "", false, nil
}

// Book confirms a hold: the appointment was made by Hold, so Book only
// reads it back when this process knows its patient (a cancelled one is a
// released hold, ErrHoldExpired). Without the patient it cannot ask the
// MIS and answers from what Hold made (see the package doc).
func (c *Client) Book(ctx context.Context, appointmentID, _ string) (contracts.Appointment, error) {
	if appointmentID == "" {
		return contracts.Appointment{}, c.errorf("Book", "appointment id required: %w", contracts.ErrInvalid)
	}
	if _, known := c.patients.ofAppointment(appointmentID); !known {
		c.log.Info("booked without read-back: the patient of the appointment is not known to this instance", "appointment_id", appointmentID)
		return contracts.Appointment{ID: appointmentID, Status: contracts.AppointmentBooked}, nil
	}
	a, err := c.ReadAppointment(ctx, appointmentID)
	if err != nil {
		return a, err
	}
	if a.Status == contracts.AppointmentCancelled {
		return a, c.errorf("Book", "appointment %s was cancelled: %w", appointmentID, contracts.ErrHoldExpired)
	}
	return a, nil
}

// Cancel cancels the appointment at the MIS, which also releases a hold of
// this kind. cancelAppointment is idempotent at the MIS, so a repeat after
// ErrOutcomeUnknown is safe.
func (c *Client) Cancel(ctx context.Context, appointmentID, _ string) (contracts.Appointment, error) {
	if appointmentID == "" {
		return contracts.Appointment{}, c.errorf("Cancel", "appointment id required: %w", contracts.ErrInvalid)
	}
	var res CancelResult
	if err := c.call(ctx, MethodCancel, &CancelParams{AppointmentID: appointmentID}, &res); err != nil {
		return contracts.Appointment{}, err
	}
	st, err := c.status(MethodCancel, res.Status)
	return contracts.Appointment{ID: appointmentID, Status: st}, err
}

// ReadAppointment reads the appointment back among its patient's
// (getAppointmentReceptionsByPatient). The API reads only by patient, so
// an appointment whose patient this process does not remember is not
// found (see the package doc).
func (c *Client) ReadAppointment(ctx context.Context, appointmentID string) (contracts.Appointment, error) {
	if appointmentID == "" {
		return contracts.Appointment{}, c.errorf("ReadAppointment", "appointment id required: %w", contracts.ErrInvalid)
	}
	who, known := c.patients.ofAppointment(appointmentID)
	if !known {
		return contracts.Appointment{}, c.errorf("ReadAppointment", "appointment %s: its patient is not known to this instance, and the MIS reads only by patient: %w", appointmentID, contracts.ErrNotFound)
	}
	list, err := c.receptions(ctx, who)
	if err != nil {
		return contracts.Appointment{}, err
	}
	for _, r := range list {
		if r.ID == appointmentID {
			return c.appointment(r)
		}
	}
	return contracts.Appointment{}, c.errorf("ReadAppointment", "appointment %s: %w", appointmentID, contracts.ErrNotFound)
}

func (c *Client) appointment(r Reception) (contracts.Appointment, error) {
	st, err := c.status(MethodReceptions, r.Status)
	if err != nil {
		return contracts.Appointment{}, err
	}
	start, err1 := c.when(r.StartTime)
	end, err2 := c.when(r.EndTime)
	if err := errors.Join(err1, err2); err != nil || r.AvailableResourceID == "" {
		return contracts.Appointment{}, c.errorf(MethodReceptions, "appointment %s has no resource or bad times: %v: %w", r.ID, err, contracts.ErrRegionUnavailable)
	}
	return contracts.Appointment{ID: r.ID, SlotID: SlotID(r.AvailableResourceID, start, end), Status: st}, nil
}

// FindByHoldKey answers from the ledger: the recorded appointment (read
// back when its patient is known here), or, when only the intent is
// recorded (the Hold's answer was lost), what the read-back by patient
// finds on the slot, which is then recorded. ErrNotFound when nothing was
// ever made for the key; ErrOutcomeUnknown when only the intent is
// recorded and this process does not know the patient to read back with.
func (c *Client) FindByHoldKey(ctx context.Context, holdKey string) (contracts.Appointment, error) {
	if holdKey == "" {
		return contracts.Appointment{}, c.errorf("FindByHoldKey", "hold key required: %w", contracts.ErrInvalid)
	}
	defer c.steps.lock(holdKey)()
	slotID, _, apptID, err := c.ledger.Get(ctx, c.cfg.Region.Code, holdKey)
	switch {
	case errors.Is(err, contracts.ErrNotFound):
		return contracts.Appointment{}, c.errorf("FindByHoldKey", "no hold was ever made with this key: %w", contracts.ErrNotFound)
	case err != nil:
		return contracts.Appointment{}, c.errorf("FindByHoldKey", "ledger: %w", err)
	case apptID != "":
		if _, known := c.patients.ofAppointment(apptID); !known {
			return held(apptID, slotID, holdKey), nil // what the ledger knows; enough to book or cancel it
		}
		a, err := c.ReadAppointment(ctx, apptID)
		a.HoldKey = holdKey
		return a, err
	}
	who, known := c.patients.ofKey(holdKey)
	if !known {
		return contracts.Appointment{}, c.errorf("FindByHoldKey", "only the intent is recorded and the patient to read back with is not known to this instance (a Hold repeated with the key resolves it): %w", contracts.ErrOutcomeUnknown)
	}
	id, found, err := c.findOnSlot(ctx, who, slotID)
	if err != nil {
		return contracts.Appointment{}, err
	}
	if !found {
		return contracts.Appointment{}, c.errorf("FindByHoldKey", "the hold never took effect: %w", contracts.ErrNotFound)
	}
	return c.record(ctx, holdKey, slotID, id, who)
}

// Shift moves an appointment to newSlotID (shiftAppointment), keeping its
// id: the API's native reschedule. The port has no reschedule yet, so no
// saga calls it; it is here so the reschedule saga can. A lost answer is
// ErrOutcomeUnknown; a repeat to the same slot is answered as done.
func (c *Client) Shift(ctx context.Context, appointmentID, newSlotID string) (contracts.Appointment, error) {
	resource, start, end, ok := ParseSlotID(newSlotID)
	if appointmentID == "" || !ok {
		return contracts.Appointment{}, c.errorf(MethodShift, "appointment id and a slot id of this kind required: %w", contracts.ErrInvalid)
	}
	var res ShiftResult
	p := &ShiftParams{AppointmentID: appointmentID, AvailableResourceID: resource, StartTime: c.wire(start), EndTime: c.wire(end)}
	if err := c.call(ctx, MethodShift, p, &res); err != nil {
		return contracts.Appointment{}, err
	}
	a, err := c.appointment(res)
	if err == nil && (a.ID != appointmentID || a.SlotID != newSlotID) {
		return a, c.errorf(MethodShift, "result names appointment %s at %s, not the one asked for: %w", a.ID, a.SlotID, contracts.ErrOutcomeUnknown)
	}
	return a, err
}

// status maps the MIS's appointment status; an unknown one breaks the
// protocol.
func (c *Client) status(method, s string) (contracts.AppointmentStatus, error) {
	switch s {
	case StatusBooked:
		return contracts.AppointmentBooked, nil
	case StatusCancelled:
		return contracts.AppointmentCancelled, nil
	case StatusFulfilled:
		return contracts.AppointmentFulfilled, nil
	case StatusNoShow:
		return contracts.AppointmentNoShow, nil
	}
	return "", c.errorf(method, "unknown appointment status %q: %w", s, contracts.ErrRegionUnavailable)
}
