package misv2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// Status callbacks (introduced by contract version 1.1, unchanged in 2.0): the MIS tells the broker that an
// appointment changed at the clinic, by POSTing a StatusCallback to
// {broker}/api/v1/callbacks/{region}, signed in the Standard Webhooks
// manner (webhook-id, webhook-timestamp, webhook-signature: "v1," + base64
// HMAC-SHA256 over "id.timestamp.body" with the region's secret). The
// webhook-id names the delivery: a retry of one change reuses it, and the
// broker answers a repeat exactly as it answered the first.

// CallbackVersion is the contract version that introduced status
// callbacks. Version 2.0.0 left them as they were: a StatusCallback names
// its patient by bare SNILS and OMS numbers (CallbackPatient), not by
// identifier systems, so the systems that changed in 2.0.0 do not reach it.
const CallbackVersion = "1.1.0"

// CallbackContentType is the media type of a StatusCallback.
const CallbackContentType = "application/json"

// Callback types: what happened to the appointment.
const (
	CallbackCancelled       = "appointment.cancelled"
	CallbackMoved           = "appointment.moved"
	CallbackVisited         = "appointment.visited"
	CallbackNoShow          = "appointment.no_show"
	CallbackBookedElsewhere = "appointment.booked_elsewhere"
)

// CallbackTypes lists every callback type of this version.
var CallbackTypes = []string{CallbackCancelled, CallbackMoved, CallbackVisited, CallbackNoShow, CallbackBookedElsewhere}

// MaxCallbackBody bounds a callback's body; the broker refuses a larger one.
const MaxCallbackBody = 16 << 10

// StatusCallback is the body of a status callback, in the Standard
// Webhooks payload shape (type, timestamp, data).
type StatusCallback struct {
	Type string `json:"type"`
	// Timestamp is when the MIS made the change (not when it sent the
	// callback: a retry keeps it).
	Timestamp time.Time        `json:"timestamp"`
	Data      StatusChangeData `json:"data"`
}

// StatusChangeData is what changed. Which members are required depends on
// the type: see Validate.
type StatusChangeData struct {
	AppointmentID string `json:"appointment_id"`
	// Sequence is the MIS's version of the appointment, growing with each
	// change; 0 when the MIS keeps none (the broker then orders by time).
	Sequence int64 `json:"sequence,omitempty"`
	// Reason is the clinic's reason for a cancellation: practitioner_unavailable,
	// clinic_closed, patient_request_by_phone or other.
	Reason string `json:"reason,omitempty"`
	// Start and End are the new time (moved) or the appointment's time
	// (booked_elsewhere).
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
	// Channel (booked_elsewhere): call_centre, registry_desk, kiosk or other_portal.
	Channel string `json:"channel,omitempty"`
	// Patient (booked_elsewhere) identifies the patient; the broker keeps
	// only keyed hashes of it.
	Patient *CallbackPatient `json:"patient,omitempty"`
	// Specialty, Practitioner and Location describe a booked_elsewhere
	// appointment for the citizen's history: Specialty is the
	// appointment's specialty code (in 2.0, of SpecialtySystem: "27"), as
	// a booking's specialty is; Practitioner and Location are display names.
	Specialty    string `json:"specialty,omitempty"`
	Practitioner string `json:"practitioner,omitempty"`
	Location     string `json:"location,omitempty"`
}

// CallbackPatient is the patient of an appointment booked elsewhere: SNILS
// alone is enough, OMS alone too.
type CallbackPatient struct {
	SNILS string `json:"snils,omitempty"`
	OMS   string `json:"oms,omitempty"`
}

// CancelReasons are the reasons a cancellation callback may give.
var CancelReasons = []string{"practitioner_unavailable", "clinic_closed", "patient_request_by_phone", "other"}

// Channels are the channels a booked_elsewhere callback may name.
var Channels = []string{"call_centre", "registry_desk", "kiosk", "other_portal"}

// ErrBadCallback marks a callback body that does not decode or validate.
var ErrBadCallback = errors.New("status callback malformed")

// DecodeStatusCallback reads one StatusCallback strictly: unknown members,
// trailing data and a missing or contradictory member are ErrBadCallback.
func DecodeStatusCallback(body []byte) (StatusCallback, error) {
	var cb StatusCallback
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(&cb); err != nil {
		return cb, fmt.Errorf("%w: %v", ErrBadCallback, err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return cb, fmt.Errorf("%w: data after the document", ErrBadCallback)
	}
	return cb, cb.Validate()
}

// Validate reports what is wrong with cb, as ErrBadCallback.
func (cb StatusCallback) Validate() error {
	d := cb.Data
	switch {
	case !slices.Contains(CallbackTypes, cb.Type):
		return fmt.Errorf("%w: type %q is not one of %v", ErrBadCallback, cb.Type, CallbackTypes)
	case cb.Timestamp.IsZero():
		return fmt.Errorf("%w: timestamp missing", ErrBadCallback)
	case d.AppointmentID == "" || len(d.AppointmentID) > 128:
		return fmt.Errorf("%w: appointment_id missing or over 128 bytes", ErrBadCallback)
	case d.Sequence < 0:
		return fmt.Errorf("%w: sequence negative", ErrBadCallback)
	}
	switch cb.Type {
	case CallbackCancelled:
		if !slices.Contains(CancelReasons, d.Reason) {
			return fmt.Errorf("%w: reason %q is not one of %v", ErrBadCallback, d.Reason, CancelReasons)
		}
	case CallbackMoved:
		return validTimes(d)
	case CallbackBookedElsewhere:
		if !slices.Contains(Channels, d.Channel) {
			return fmt.Errorf("%w: channel %q is not one of %v", ErrBadCallback, d.Channel, Channels)
		}
		if d.Patient == nil || (d.Patient.SNILS == "" && d.Patient.OMS == "") {
			return fmt.Errorf("%w: booked_elsewhere needs the patient's snils or oms", ErrBadCallback)
		}
		return validTimes(d)
	}
	return nil
}

func validTimes(d StatusChangeData) error {
	if d.Start.IsZero() || !d.End.After(d.Start) {
		return fmt.Errorf("%w: start and end missing or out of order", ErrBadCallback)
	}
	return nil
}
