package soap

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// Hold makes the appointment at the MIS (GetPatientInfo, then
// CreateAppointment), recording the intent in the ledger before the call
// and the Book_Id after it; see the package doc for why a hold is a real
// appointment here. A repeat with the same key returns the recorded
// appointment without calling the MIS, or, when only the intent is
// recorded, reads back before it would create anything.
func (c *Client) Hold(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	if req.SlotID == "" || req.IdempotencyKey == "" || (req.Patient.SNILS == "" && req.Patient.OMS == "") {
		return contracts.Appointment{}, c.errorf("Hold", "slot id, idempotency key and SNILS or OMS are required: %w", contracts.ErrInvalid)
	}
	defer c.steps.Lock(req.IdempotencyKey)()
	slotID, session, bookID, err := c.ledger.Get(ctx, c.cfg.Region.Code, req.IdempotencyKey)
	switch {
	case errors.Is(err, contracts.ErrNotFound):
		return c.holdFirst(ctx, req)
	case err != nil:
		return contracts.Appointment{}, c.errorf("Hold", "ledger: %w", err)
	case slotID != req.SlotID:
		return contracts.Appointment{}, c.errorf("Hold", "idempotency key already used for another slot: %w", contracts.ErrInvalid)
	case bookID != "":
		return held(bookID, req), nil
	}
	return c.resolve(ctx, req, session)
}

// holdFirst is the first Hold of a key: open a session, record the intent,
// then create.
func (c *Client) holdFirst(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	session, err := c.openSession(ctx, req.Patient)
	if err != nil {
		return contracts.Appointment{}, err
	}
	created, err := c.ledger.Begin(ctx, c.cfg.Region.Code, req.IdempotencyKey, req.SlotID, session)
	if err != nil {
		return contracts.Appointment{}, c.errorf("Hold", "ledger: record intent: %w", err) // nothing made yet
	}
	if !created {
		// Another instance began this step since our Get and is at the MIS
		// now: calling too would race it to the same slot.
		return contracts.Appointment{}, c.errorf("Hold", "the same hold is in flight elsewhere: %w", contracts.ErrConflict)
	}
	return c.create(ctx, req, session)
}

// openSession finds the patient at the MIS (GetPatientInfo) and returns
// the Session_ID later calls name the patient by.
func (c *Client) openSession(ctx context.Context, p contracts.Patient) (string, error) {
	var info GetPatientInfoResponse
	if err := c.call(ctx, MethodGetPatientInfo, false, &GetPatientInfoRequest{OMSNumber: p.OMS, SNILS: p.SNILS}, &info); err != nil {
		return "", err
	}
	if info.SessionID == "" {
		return "", c.errorf(MethodGetPatientInfo, "answer has no Session_ID: %w", contracts.ErrRegionUnavailable)
	}
	return info.SessionID, nil
}

// resolve is a repeat after an unknown outcome: only the intent is
// recorded. The read-back decides; CreateAppointment runs again only when
// the session's patient has nothing live on the slot.
func (c *Client) resolve(ctx context.Context, req contracts.HoldRequest, session string) (contracts.Appointment, error) {
	if bookID, found, err := c.findOnSlot(ctx, session, req.Patient, req.SlotID); err != nil || found {
		if err != nil {
			return contracts.Appointment{}, err
		}
		return c.record(ctx, req, bookID)
	}
	appt, err := c.create(ctx, req, session)
	if errors.Is(err, contracts.ErrSlotTaken) {
		// The lost call may have landed at the MIS after the read-back: the
		// taker may be this very step.
		if bookID, found, rerr := c.findOnSlot(ctx, session, req.Patient, req.SlotID); rerr == nil && found {
			return c.record(ctx, req, bookID)
		}
	}
	return appt, err
}

// create calls CreateAppointment. A SESSION_EXPIRED answer (the MIS
// expired or forgot the session) is a refusal that changed nothing, so a
// new session is opened and the call repeated once: safe, unlike a repeat
// after a lost answer. A second SESSION_EXPIRED is the region's failure,
// reported as unavailable rather than guessed at. The ledger keeps the
// intent's session (Begin writes it once): should the repeat's answer be
// lost, the read-back of the step starts from that older session and,
// when the MIS has expired it, opens a new one (findOnSlot).
func (c *Client) create(ctx context.Context, req contracts.HoldRequest, session string) (contracts.Appointment, error) {
	var resp CreateAppointmentResponse
	err := c.call(ctx, MethodCreateAppointment, true, &CreateAppointmentRequest{SessionID: session, SlotID: req.SlotID}, &resp)
	if isFault(err, FaultSessionExpired) {
		fresh, serr := c.openSession(ctx, req.Patient)
		if serr != nil {
			return contracts.Appointment{}, serr
		}
		err = c.call(ctx, MethodCreateAppointment, true, &CreateAppointmentRequest{SessionID: fresh, SlotID: req.SlotID}, &resp)
		if isFault(err, FaultSessionExpired) {
			return contracts.Appointment{}, c.errorf(MethodCreateAppointment, "a new session expired too: %w", contracts.ErrRegionUnavailable)
		}
	}
	if err != nil {
		return contracts.Appointment{}, err
	}
	if resp.BookID == "" {
		return contracts.Appointment{}, c.errorf(MethodCreateAppointment, "answer has no Book_Id: %w", contracts.ErrOutcomeUnknown)
	}
	return c.record(ctx, req, resp.BookID)
}

// record writes the Book_Id into the ledger. If that fails, the
// appointment stands unrecorded: the outcome is unknown to the caller, and
// its repeat finds the appointment by read-back.
func (c *Client) record(ctx context.Context, req contracts.HoldRequest, bookID string) (contracts.Appointment, error) {
	if err := c.ledger.Done(ctx, c.cfg.Region.Code, req.IdempotencyKey, bookID); err != nil {
		return contracts.Appointment{}, c.errorf("Hold", "ledger: record appointment: %v: %w", err, contracts.ErrOutcomeUnknown)
	}
	return held(bookID, req), nil
}

func held(bookID string, req contracts.HoldRequest) contracts.Appointment {
	return contracts.Appointment{ID: bookID, SlotID: req.SlotID, Status: contracts.AppointmentHeld, HoldKey: req.IdempotencyKey}
}

// findOnSlot reads back the session patient's live appointment on slotID.
// A read-back may come long after the session was opened (the MIS was
// down, the broker was stopped), when the MIS has expired it: then, with
// the patient at hand, a new session names the same patient and the read
// is repeated once; without the patient the step stays unresolved (region
// unavailable), never guessed. The new session also finds an appointment
// that create made under a renewed session, since both name one patient.
func (c *Client) findOnSlot(ctx context.Context, session string, patient contracts.Patient, slotID string) (bookID string, found bool, err error) {
	var resp GetPatientAppointmentsResponse
	err = c.call(ctx, MethodGetPatientAppointments, false, &GetPatientAppointmentsRequest{SessionID: session}, &resp)
	if isFault(err, FaultSessionExpired) && (patient.OMS != "" || patient.SNILS != "") {
		fresh, serr := c.openSession(ctx, patient)
		if serr != nil {
			return "", false, serr
		}
		err = c.call(ctx, MethodGetPatientAppointments, false, &GetPatientAppointmentsRequest{SessionID: fresh}, &resp)
	}
	if err != nil {
		return "", false, err
	}
	for _, a := range resp.Appointments {
		if a.SlotID == slotID && a.Status == StatusBooked {
			return a.BookID, true, nil
		}
	}
	return "", false, nil
}

// Book confirms a hold: the appointment was made by Hold, so Book only
// reads it back by its Book_Id (req.Hold is not needed). A cancelled one is
// a released hold (ErrHoldExpired).
func (c *Client) Book(ctx context.Context, req contracts.BookRequest) (contracts.Appointment, error) {
	appointmentID := req.AppointmentID
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
// this kind. CancelAppointment is idempotent at the MIS, so a repeat after
// ErrOutcomeUnknown is safe.
func (c *Client) Cancel(ctx context.Context, appointmentID, _ string) (contracts.Appointment, error) {
	if appointmentID == "" {
		return contracts.Appointment{}, c.errorf("Cancel", "appointment id required: %w", contracts.ErrInvalid)
	}
	var resp CancelAppointmentResponse
	if err := c.call(ctx, MethodCancelAppointment, true, &CancelAppointmentRequest{BookID: appointmentID}, &resp); err != nil {
		return contracts.Appointment{}, err
	}
	st, err := c.status(MethodCancelAppointment, resp.Status)
	return contracts.Appointment{ID: appointmentID, Status: st}, err
}

// ReadAppointment reads the appointment back by its Book_Id. It is not part
// of contracts.MIS, which finds an appointment again through FindHold.
func (c *Client) ReadAppointment(ctx context.Context, appointmentID string) (contracts.Appointment, error) {
	if appointmentID == "" {
		return contracts.Appointment{}, c.errorf("ReadAppointment", "appointment id required: %w", contracts.ErrInvalid)
	}
	var resp GetPatientAppointmentsResponse
	if err := c.call(ctx, MethodGetPatientAppointments, false, &GetPatientAppointmentsRequest{BookID: appointmentID}, &resp); err != nil {
		return contracts.Appointment{}, err
	}
	for _, a := range resp.Appointments {
		if a.BookID == appointmentID {
			st, err := c.status(MethodGetPatientAppointments, a.Status)
			return contracts.Appointment{ID: a.BookID, SlotID: a.SlotID, Status: st}, err
		}
	}
	return contracts.Appointment{}, c.errorf("ReadAppointment", "appointment %s: %w", appointmentID, contracts.ErrNotFound)
}

// FindHold answers from the ledger, by req's key: the recorded appointment
// read back, or, when only the intent is recorded (the Hold's answer was
// lost), what the read-back by the recorded session finds on the slot,
// which is then recorded. The session is the MIS's and durable, so the
// patient in req is not needed. ErrNotFound when nothing was ever made for
// the key.
func (c *Client) FindHold(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	holdKey := req.IdempotencyKey
	if holdKey == "" {
		return contracts.Appointment{}, c.errorf("FindHold", "hold key required: %w", contracts.ErrInvalid)
	}
	defer c.steps.Lock(holdKey)()
	slotID, session, bookID, err := c.ledger.Get(ctx, c.cfg.Region.Code, holdKey)
	switch {
	case errors.Is(err, contracts.ErrNotFound):
		return contracts.Appointment{}, c.errorf("FindHold", "no hold was ever made with this key: %w", contracts.ErrNotFound)
	case err != nil:
		return contracts.Appointment{}, c.errorf("FindHold", "ledger: %w", err)
	case req.SlotID != "" && req.SlotID != slotID:
		return contracts.Appointment{}, c.errorf("FindHold", "the key's hold was made for another slot: %w", contracts.ErrInvalid)
	case bookID == "":
		id, found, err := c.findOnSlot(ctx, session, req.Patient, slotID)
		if err != nil {
			return contracts.Appointment{}, err
		}
		if !found {
			return contracts.Appointment{}, c.errorf("FindHold", "the hold never took effect: %w", contracts.ErrNotFound)
		}
		if _, err := c.record(ctx, contracts.HoldRequest{SlotID: slotID, IdempotencyKey: holdKey}, id); err != nil {
			return contracts.Appointment{}, err
		}
		bookID = id
	}
	a, err := c.ReadAppointment(ctx, bookID)
	a.HoldKey = holdKey
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
	return "", fmt.Errorf("%s in region %s: unknown appointment status %q: %w", method, c.cfg.Region.Code, s, contracts.ErrRegionUnavailable)
}

// PeriodAppointments lists the appointments whose visit starts within
// [from, to] (GetAppointmentsByPeriod), each with its patient:
// reconciliation turns those into patient keys to find the appointments
// made through other channels (contracts.PeriodAppointmentReader).
func (c *Client) PeriodAppointments(ctx context.Context, from, to time.Time) ([]contracts.PeriodAppointment, error) {
	if to.Before(from) {
		return nil, c.errorf("PeriodAppointments", "the period ends before it starts: %w", contracts.ErrInvalid)
	}
	var resp GetAppointmentsByPeriodResponse
	req := &GetAppointmentsByPeriodRequest{From: from.Format(time.RFC3339), To: to.Format(time.RFC3339)}
	if err := c.call(ctx, MethodGetAppointmentsByPeriod, false, req, &resp); err != nil {
		return nil, err
	}
	out := make([]contracts.PeriodAppointment, 0, len(resp.Appointments))
	for _, a := range resp.Appointments {
		st, err := c.status(MethodGetAppointmentsByPeriod, a.Status)
		if err != nil {
			return nil, err
		}
		start, err1 := time.Parse(time.RFC3339, a.VisitTime)
		end, err2 := time.Parse(time.RFC3339, a.VisitEndTime)
		if a.BookID == "" || err1 != nil || err2 != nil {
			return nil, c.errorf("PeriodAppointments", "appointment %q without its id or visit times: %w", a.BookID, contracts.ErrRegionUnavailable)
		}
		out = append(out, contracts.PeriodAppointment{
			Appointment: contracts.Appointment{ID: a.BookID, SlotID: a.SlotID, Status: st},
			Start:       start, End: end, Channel: a.Channel,
			Patient: contracts.Patient{SNILS: a.PatientSNILS, OMS: a.PatientOMS},
		})
	}
	return out, nil
}
