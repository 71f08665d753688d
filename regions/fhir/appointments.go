package fhir

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
)

// Hold reserves req.SlotID for req.Patient. The patient's identifiers travel
// only in the request body, never in a URL, log line or error.
func (c *Client) Hold(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	const op = "hold"
	if err := validateHold(req); err != nil {
		return contracts.Appointment{}, fmt.Errorf("%s in region %s: %w", op, c.cfg.Region.Code, err)
	}
	cl := call{op: op, method: "POST", path: "/Appointment/$hold", body: holdParameters(req), key: req.IdempotencyKey}
	return c.appointment(ctx, cl)
}

func validateHold(req contracts.HoldRequest) error {
	switch {
	case !validID(req.SlotID):
		return fmt.Errorf("malformed slot id: %w", contracts.ErrInvalid)
	case !validKey(req.IdempotencyKey):
		return fmt.Errorf("malformed idempotency key: %w", contracts.ErrInvalid)
	case req.Patient.SNILS == "" && req.Patient.OMS == "":
		return fmt.Errorf("patient without identifiers: %w", contracts.ErrInvalid)
	}
	return nil
}

func holdParameters(req contracts.HoldRequest) misv2.Parameters {
	p := misv2.Parameters{ResourceType: "Parameters", Parameter: []misv2.Parameter{
		{Name: "slot", ValueReference: &misv2.Reference{Reference: "Slot/" + req.SlotID}},
	}}
	for _, id := range []misv2.Identifier{
		{System: misv2.SNILSSystem, Value: req.Patient.SNILS},
		{System: misv2.OMSSystem, Value: req.Patient.OMS},
	} {
		if id.Value != "" {
			p.Parameter = append(p.Parameter, misv2.Parameter{Name: "patient", ValueIdentifier: &id})
		}
	}
	return p
}

// Book turns the hold req.AppointmentID into a booking. The contract keeps
// keys, so req.Hold is not needed.
func (c *Client) Book(ctx context.Context, req contracts.BookRequest) (contracts.Appointment, error) {
	return c.operate(ctx, "book", req.AppointmentID, req.IdempotencyKey)
}

// Cancel cancels a booking or releases a hold.
func (c *Client) Cancel(ctx context.Context, appointmentID, idempotencyKey string) (contracts.Appointment, error) {
	return c.operate(ctx, "cancel", appointmentID, idempotencyKey)
}

func (c *Client) operate(ctx context.Context, op, appointmentID, key string) (contracts.Appointment, error) {
	switch {
	case !validID(appointmentID):
		return contracts.Appointment{}, fmt.Errorf("%s in region %s: malformed appointment id: %w", op, c.cfg.Region.Code, contracts.ErrInvalid)
	case !validKey(key):
		return contracts.Appointment{}, fmt.Errorf("%s in region %s: malformed idempotency key: %w", op, c.cfg.Region.Code, contracts.ErrInvalid)
	}
	return c.appointment(ctx, call{op: op, method: "POST", path: "/Appointment/" + appointmentID + "/$" + op, key: key})
}

// ReadAppointment returns the appointment's current state by its id (the
// contract's read). It is not part of contracts.MIS, which finds an
// appointment again through FindHold, the one way every kind can.
func (c *Client) ReadAppointment(ctx context.Context, appointmentID string) (contracts.Appointment, error) {
	const op = "read_appointment"
	if !validID(appointmentID) {
		return contracts.Appointment{}, fmt.Errorf("%s in region %s: malformed appointment id: %w", op, c.cfg.Region.Code, contracts.ErrInvalid)
	}
	return c.appointment(ctx, call{op: op, method: "GET", path: "/Appointment/" + appointmentID})
}

// FindHold returns the appointment the Hold of req created, or ErrNotFound
// when that hold never took effect. The contract finds it by its key alone
// (Appointment?identifier=), so neither the slot nor the patient is sent.
func (c *Client) FindHold(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	const op = "find_hold"
	holdKey := req.IdempotencyKey
	if !validKey(holdKey) {
		return contracts.Appointment{}, fmt.Errorf("%s in region %s: malformed hold key: %w", op, c.cfg.Region.Code, contracts.ErrInvalid)
	}
	q := url.Values{"identifier": {misv2.IdempotencyKeySystem + "|" + holdKey}}
	var b misv2.Bundle
	if err := c.do(ctx, call{op: op, method: "GET", path: "/Appointment", query: q}, &b); err != nil {
		return contracts.Appointment{}, err
	}
	idx, err := indexBundle(b)
	if err != nil {
		return contracts.Appointment{}, c.brokenAnswer(op, err)
	}
	for _, a := range idx.appointments {
		if appt, err := c.toAppointment(a); err != nil {
			return contracts.Appointment{}, c.brokenAnswer(op, err)
		} else if appt.HoldKey == holdKey {
			return appt, nil
		}
	}
	return contracts.Appointment{}, fmt.Errorf("%s in region %s: %w", op, c.cfg.Region.Code, contracts.ErrNotFound)
}

// appointment runs a call whose answer is one Appointment.
func (c *Client) appointment(ctx context.Context, cl call) (contracts.Appointment, error) {
	var a misv2.Appointment
	if err := c.do(ctx, cl, &a); err != nil {
		return contracts.Appointment{}, err
	}
	appt, err := c.toAppointment(a)
	if err != nil {
		if cl.method == "POST" {
			// It answered 2xx, so the change happened; only reading it back
			// can tell the caller what it is.
			return contracts.Appointment{}, fmt.Errorf("%s in region %s: answer breaks the contract: %v: %w",
				cl.op, c.cfg.Region.Code, err, contracts.ErrOutcomeUnknown)
		}
		return contracts.Appointment{}, c.brokenAnswer(cl.op, err)
	}
	return appt, nil
}

func (c *Client) toAppointment(a misv2.Appointment) (contracts.Appointment, error) {
	if a.ResourceType != "Appointment" || !validID(a.ID) {
		return contracts.Appointment{}, fmt.Errorf("not an Appointment with an id")
	}
	appt := contracts.Appointment{ID: a.ID, Status: contracts.AppointmentStatus(a.Status)}
	if len(a.Slot) > 0 {
		appt.SlotID = refID(a.Slot[0].Reference)
	}
	for _, id := range a.Identifier {
		if id.System == misv2.IdempotencyKeySystem {
			appt.HoldKey = id.Value
		}
	}
	for _, ext := range a.Extension {
		if ext.URL != misv2.HoldExpiresExtension {
			continue
		}
		t, err := c.instant(ext.ValueInstant)
		if err != nil {
			return contracts.Appointment{}, fmt.Errorf("hold expiry %q malformed", ext.ValueInstant)
		}
		appt.HoldExpires = t
	}
	return appt, nil
}

// PeriodAppointments lists the appointments whose start is within
// [from, to] (GET /Appointment?date=ge{from}&date=le{to}), each with the
// patient it names: reconciliation turns those into patient keys to find
// the appointments made through other channels (contracts.PeriodAppointmentReader).
func (c *Client) PeriodAppointments(ctx context.Context, from, to time.Time) ([]contracts.PeriodAppointment, error) {
	const op = "period_appointments"
	if to.Before(from) {
		return nil, fmt.Errorf("%s in region %s: the period ends before it starts: %w", op, c.cfg.Region.Code, contracts.ErrInvalid)
	}
	q := url.Values{"date": {"ge" + from.UTC().Format(time.RFC3339), "le" + to.UTC().Format(time.RFC3339)}}
	var b misv2.Bundle
	if err := c.do(ctx, call{op: op, method: "GET", path: "/Appointment", query: q}, &b); err != nil {
		return nil, err
	}
	idx, err := indexBundle(b)
	if err != nil {
		return nil, c.brokenAnswer(op, err)
	}
	out := make([]contracts.PeriodAppointment, 0, len(idx.appointments))
	for _, a := range idx.appointments {
		pa, err := c.toPeriodAppointment(a)
		if err != nil {
			return nil, c.brokenAnswer(op, err)
		}
		out = append(out, pa)
	}
	return out, nil
}

// toPeriodAppointment reads an appointment of the period search: its
// times, its patient's logical reference, its channel, and the displays
// of its practitioner and location.
func (c *Client) toPeriodAppointment(a misv2.Appointment) (contracts.PeriodAppointment, error) {
	appt, err := c.toAppointment(a)
	if err != nil {
		return contracts.PeriodAppointment{}, err
	}
	pa := contracts.PeriodAppointment{Appointment: appt}
	if pa.Start, err = c.instant(a.Start); err != nil {
		return pa, fmt.Errorf("appointment %s start %q malformed", a.ID, a.Start)
	}
	if pa.End, err = c.instant(a.End); err != nil {
		return pa, fmt.Errorf("appointment %s end %q malformed", a.ID, a.End)
	}
	for _, p := range a.Participant {
		switch ref := p.Actor; {
		case ref.Type == "Patient" && ref.Identifier != nil && ref.Identifier.System == misv2.SNILSSystem:
			pa.Patient.SNILS = ref.Identifier.Value
		case ref.Type == "Patient" && ref.Identifier != nil && ref.Identifier.System == misv2.OMSSystem:
			pa.Patient.OMS = ref.Identifier.Value
		case strings.HasPrefix(ref.Reference, "PractitionerRole/"):
			pa.PractitionerName = ref.Display
		case strings.HasPrefix(ref.Reference, "Location/"):
			pa.FacilityName = ref.Display
		}
	}
	for _, ext := range a.Extension {
		if ext.URL == misv2.ChannelExtension {
			pa.Channel = ext.ValueString
		}
	}
	return pa, nil
}
