package fhir

import (
	"context"
	"fmt"
	"net/url"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv1"
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

func holdParameters(req contracts.HoldRequest) misv1.Parameters {
	p := misv1.Parameters{ResourceType: "Parameters", Parameter: []misv1.Parameter{
		{Name: "slot", ValueReference: &misv1.Reference{Reference: "Slot/" + req.SlotID}},
	}}
	for _, id := range []misv1.Identifier{
		{System: misv1.SNILSSystem, Value: req.Patient.SNILS},
		{System: misv1.OMSSystem, Value: req.Patient.OMS},
	} {
		if id.Value != "" {
			p.Parameter = append(p.Parameter, misv1.Parameter{Name: "patient", ValueIdentifier: &id})
		}
	}
	return p
}

// Book turns the hold appointmentID into a booking.
func (c *Client) Book(ctx context.Context, appointmentID, idempotencyKey string) (contracts.Appointment, error) {
	return c.operate(ctx, "book", appointmentID, idempotencyKey)
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

// ReadAppointment returns the appointment's current state.
func (c *Client) ReadAppointment(ctx context.Context, appointmentID string) (contracts.Appointment, error) {
	const op = "read_appointment"
	if !validID(appointmentID) {
		return contracts.Appointment{}, fmt.Errorf("%s in region %s: malformed appointment id: %w", op, c.cfg.Region.Code, contracts.ErrInvalid)
	}
	return c.appointment(ctx, call{op: op, method: "GET", path: "/Appointment/" + appointmentID})
}

// FindByHoldKey returns the appointment the Hold with holdKey created, or
// ErrNotFound when that hold never took effect.
func (c *Client) FindByHoldKey(ctx context.Context, holdKey string) (contracts.Appointment, error) {
	const op = "find_by_hold_key"
	if !validKey(holdKey) {
		return contracts.Appointment{}, fmt.Errorf("%s in region %s: malformed hold key: %w", op, c.cfg.Region.Code, contracts.ErrInvalid)
	}
	q := url.Values{"identifier": {misv1.IdempotencyKeySystem + "|" + holdKey}}
	var b misv1.Bundle
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
	var a misv1.Appointment
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

func (c *Client) toAppointment(a misv1.Appointment) (contracts.Appointment, error) {
	if a.ResourceType != "Appointment" || !validID(a.ID) {
		return contracts.Appointment{}, fmt.Errorf("not an Appointment with an id")
	}
	appt := contracts.Appointment{ID: a.ID, Status: contracts.AppointmentStatus(a.Status)}
	if len(a.Slot) > 0 {
		appt.SlotID = refID(a.Slot[0].Reference)
	}
	for _, id := range a.Identifier {
		if id.System == misv1.IdempotencyKeySystem {
			appt.HoldKey = id.Value
		}
	}
	for _, ext := range a.Extension {
		if ext.URL != misv1.HoldExpiresExtension {
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
