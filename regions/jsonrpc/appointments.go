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
	defer c.steps.Lock(req.IdempotencyKey)()
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
	if r, found, err := c.findOnSlot(ctx, req.Patient, req.SlotID); err != nil || found {
		if err != nil {
			return contracts.Appointment{}, err
		}
		return c.record(ctx, req.IdempotencyKey, req.SlotID, r.ID)
	}
	appt, err := c.create(ctx, req)
	if errors.Is(err, contracts.ErrSlotTaken) {
		// The lost call may have landed at the MIS after the read-back: the
		// taker may be this very step.
		if r, found, rerr := c.findOnSlot(ctx, req.Patient, req.SlotID); rerr == nil && found {
			return c.record(ctx, req.IdempotencyKey, req.SlotID, r.ID)
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
	return c.record(ctx, req.IdempotencyKey, req.SlotID, res.ID)
}

// record writes the appointment id into the ledger. If that fails, the
// appointment stands unrecorded: the outcome is unknown to the caller, and
// its repeat finds the appointment by read-back.
func (c *Client) record(ctx context.Context, key, slotID, apptID string) (contracts.Appointment, error) {
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
func (c *Client) findOnSlot(ctx context.Context, who contracts.Patient, slotID string) (Reception, bool, error) {
	resource, start, _, _ := ParseSlotID(slotID)
	list, err := c.receptions(ctx, who)
	if err != nil {
		return Reception{}, false, err
	}
	for _, r := range list {
		t, terr := time.Parse(time.RFC3339, r.StartTime)
		if terr == nil && r.AvailableResourceID == resource && t.Equal(start) && r.Status == StatusBooked {
			return r, true, nil
		}
	}
	return Reception{}, false, nil
}

// Book confirms a hold: the appointment was made by Hold, so Book only
// reads it back by the patient of req.Hold (a cancelled one is a released
// hold, ErrHoldExpired). Without the patient (req.Hold.Patient zero, the
// booking's identifiers already erased) it cannot ask the MIS and answers
// from what Hold made.
func (c *Client) Book(ctx context.Context, req contracts.BookRequest) (contracts.Appointment, error) {
	if req.AppointmentID == "" {
		return contracts.Appointment{}, c.errorf("Book", "appointment id required: %w", contracts.ErrInvalid)
	}
	if !knows(req.Hold.Patient) {
		c.log.Info("booked without read-back: the hold request carries no patient", "appointment_id", req.AppointmentID)
		return contracts.Appointment{ID: req.AppointmentID, SlotID: req.Hold.SlotID, Status: contracts.AppointmentBooked, HoldKey: req.Hold.IdempotencyKey}, nil
	}
	a, err := c.readBack(ctx, "Book", req.Hold.Patient, req.AppointmentID)
	if err != nil {
		return a, err
	}
	a.HoldKey = req.Hold.IdempotencyKey
	if a.Status == contracts.AppointmentCancelled {
		return a, c.errorf("Book", "appointment %s was cancelled: %w", req.AppointmentID, contracts.ErrHoldExpired)
	}
	return a, nil
}

// knows reports whether who carries what the read-back needs.
func knows(who contracts.Patient) bool { return who.OMS != "" && who.BirthDate != "" }

// Cancel cancels the appointment at the MIS, which also releases a hold of
// this kind. cancelAppointment names only the appointment, so a
// cancellation needs no patient; it is idempotent at the MIS, so a repeat
// after ErrOutcomeUnknown is safe.
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

// readBack finds appointmentID among who's appointments
// (getAppointmentReceptionsByPatient), the API's only read.
func (c *Client) readBack(ctx context.Context, op string, who contracts.Patient, appointmentID string) (contracts.Appointment, error) {
	list, err := c.receptions(ctx, who)
	if err != nil {
		return contracts.Appointment{}, err
	}
	for _, r := range list {
		if r.ID == appointmentID {
			return c.appointment(r)
		}
	}
	return contracts.Appointment{}, c.errorf(op, "appointment %s is not among its patient's: %w", appointmentID, contracts.ErrNotFound)
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

// FindHold answers from the ledger, by req's key, and reads back by
// req.Patient: the recorded appointment in its current state, or, when only
// the intent is recorded (the Hold's answer was lost), what the read-back
// finds on the slot, which is then recorded. Both survive a restart: the
// ledger is durable and the patient comes with req. ErrNotFound when
// nothing was ever made for the key; ErrInvalid when req names another
// slot or patient than the key's Hold did. Without the patient it answers
// what the ledger knows (the recorded appointment, status held), or
// ErrOutcomeUnknown when only the intent is recorded.
func (c *Client) FindHold(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	key, who := req.IdempotencyKey, req.Patient
	if key == "" {
		return contracts.Appointment{}, c.errorf("FindHold", "hold key required: %w", contracts.ErrInvalid)
	}
	defer c.steps.Lock(key)()
	slotID, ref, apptID, err := c.ledger.Get(ctx, c.cfg.Region.Code, key)
	switch {
	case errors.Is(err, contracts.ErrNotFound):
		return contracts.Appointment{}, c.errorf("FindHold", "no hold was ever made with this key: %w", contracts.ErrNotFound)
	case err != nil:
		return contracts.Appointment{}, c.errorf("FindHold", "ledger: %w", err)
	case (req.SlotID != "" && req.SlotID != slotID) || (knows(who) && ref != c.patientRef(key, who)):
		return contracts.Appointment{}, c.errorf("FindHold", "the key's hold was made for another slot or patient: %w", contracts.ErrInvalid)
	case apptID != "" && !knows(who):
		return held(apptID, slotID, key), nil // what the ledger knows; enough to book or cancel it
	case apptID != "":
		a, err := c.readBack(ctx, "FindHold", who, apptID)
		a.HoldKey = key
		return a, err
	case !knows(who):
		return contracts.Appointment{}, c.errorf("FindHold", "only the intent is recorded and the request carries no patient to read back with (a Hold repeated with the key resolves it): %w", contracts.ErrOutcomeUnknown)
	}
	r, found, err := c.findOnSlot(ctx, who, slotID)
	if err != nil {
		return contracts.Appointment{}, err
	}
	if !found {
		return contracts.Appointment{}, c.errorf("FindHold", "the hold never took effect: %w", contracts.ErrNotFound)
	}
	if _, err := c.record(ctx, key, slotID, r.ID); err != nil {
		return contracts.Appointment{}, err
	}
	a, err := c.appointment(r) // its current state, as when the id was recorded
	a.HoldKey = key
	return a, err
}

// Shift moves an appointment to req.SlotID (shiftAppointment), keeping
// its id: the API's native reschedule (contracts.Shifter). Like Hold it
// goes through the ledger: the intent (new slot, the appointment as the
// reference) is recorded before the call and the answer after it, so a
// repeat with the key of a move already answered returns that answer
// without calling the MIS (a later move by the clinic is not undone by a
// redelivered command), and a repeat after a lost answer calls again,
// which the MIS answers as done when the appointment already stands there.
func (c *Client) Shift(ctx context.Context, req contracts.ShiftRequest) (contracts.Appointment, error) {
	if _, _, _, ok := ParseSlotID(req.SlotID); req.AppointmentID == "" || req.IdempotencyKey == "" || !ok {
		return contracts.Appointment{}, c.errorf(MethodShift, "appointment id, idempotency key and a slot id of this kind required: %w", contracts.ErrInvalid)
	}
	defer c.steps.Lock(req.IdempotencyKey)()
	ref := "shift:" + req.AppointmentID // no personal data: the MIS's id of the appointment
	slotID, recordedRef, apptID, err := c.ledger.Get(ctx, c.cfg.Region.Code, req.IdempotencyKey)
	switch {
	case errors.Is(err, contracts.ErrNotFound):
		created, err := c.ledger.Begin(ctx, c.cfg.Region.Code, req.IdempotencyKey, req.SlotID, ref)
		if err != nil {
			return contracts.Appointment{}, c.errorf(MethodShift, "ledger: record intent: %w", err)
		}
		if !created {
			return contracts.Appointment{}, c.errorf(MethodShift, "the same move is in flight elsewhere: %w", contracts.ErrConflict)
		}
	case err != nil:
		return contracts.Appointment{}, c.errorf(MethodShift, "ledger: %w", err)
	case slotID != req.SlotID || recordedRef != ref:
		return contracts.Appointment{}, c.errorf(MethodShift, "idempotency key already used for another move: %w", contracts.ErrInvalid)
	case apptID != "":
		return contracts.Appointment{ID: apptID, SlotID: slotID, Status: contracts.AppointmentBooked}, nil
	}
	a, err := c.shift(ctx, req.AppointmentID, req.SlotID)
	if err != nil {
		return a, err
	}
	if err := c.ledger.Done(ctx, c.cfg.Region.Code, req.IdempotencyKey, a.ID); err != nil {
		return contracts.Appointment{}, c.errorf(MethodShift, "ledger: record the move: %v: %w", err, contracts.ErrOutcomeUnknown)
	}
	return a, nil
}

// shift makes the shiftAppointment call. A lost answer is
// ErrOutcomeUnknown; a repeat to the same slot is answered as done.
func (c *Client) shift(ctx context.Context, appointmentID, newSlotID string) (contracts.Appointment, error) {
	resource, start, end, _ := ParseSlotID(newSlotID) // Shift checked it
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

// PatientAppointments lists who's appointments
// (getAppointmentReceptionsByPatient): the API's only read, so the one
// reconciliation uses for this kind. It is not part of contracts.MIS.
func (c *Client) PatientAppointments(ctx context.Context, who contracts.Patient) ([]contracts.PeriodAppointment, error) {
	if who.OMS == "" || who.BirthDate == "" {
		return nil, c.errorf(MethodReceptions, "the patient's OMS policy and birth date are required: %w", contracts.ErrInvalid)
	}
	list, err := c.receptions(ctx, who)
	if err != nil {
		return nil, err
	}
	out := make([]contracts.PeriodAppointment, 0, len(list))
	for _, r := range list {
		a, err := c.appointment(r)
		if err != nil {
			return nil, err
		}
		// appointment checked both times.
		start, _ := c.when(r.StartTime)
		end, _ := c.when(r.EndTime)
		out = append(out, contracts.PeriodAppointment{Appointment: a, Start: start, End: end, Patient: who})
	}
	return out, nil
}
