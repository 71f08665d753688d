package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
)

// MethodUpdateAppointmentStatus is the one operation the MIS calls on the
// broker (the WSDL's ERegistryCallbackPortType): it reports a change made
// at the clinic. The broker serves it at {broker}/api/v1/callbacks/{region},
// authenticated by the Standard Webhooks headers over the SOAP body, as
// fhir regions' callbacks are (wire.md says why HMAC and not mutual TLS).
const MethodUpdateAppointmentStatus = "UpdateAppointmentStatus"

// CallbackMethods lists the operations the broker serves to the MIS.
func CallbackMethods() []string { return []string{MethodUpdateAppointmentStatus} }

// Statuses only UpdateAppointmentStatus reports: a move (same Book_Id, new
// time) and, with BOOKED and a Channel, an appointment made through another
// channel.
const StatusMoved = "MOVED"

// UpdateAppointmentStatusRequest reports one change of one appointment.
// Which elements are required depends on Status (wire.md).
type UpdateAppointmentStatusRequest struct {
	XMLName xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 UpdateAppointmentStatusRequest"`
	BookID  string   `xml:"Book_Id"`
	// Status: CANCELLED, MOVED, FULFILLED, NOSHOW or BOOKED (another channel).
	Status string `xml:"Status"`
	// EventTime is when the MIS made the change (xs:dateTime).
	EventTime string `xml:"Event_Time"`
	// Version is the appointment's version at the MIS, when it keeps one.
	Version      int64    `xml:"Version,omitempty"`
	CancelReason string   `xml:"Cancel_Reason,omitempty"` // CANCELLED: PRACTITIONER_UNAVAILABLE, CLINIC_CLOSED, PATIENT_REQUEST_BY_PHONE, OTHER
	VisitTime    string   `xml:"Visit_Time,omitempty"`    // MOVED (the new time), BOOKED
	VisitEndTime string   `xml:"Visit_End_Time,omitempty"`
	Channel      string   `xml:"Channel,omitempty"` // BOOKED: CALL_CENTRE, REGISTRY_DESK, KIOSK, OTHER_PORTAL
	Patient      *Patient `xml:"Patient,omitempty"` // BOOKED
	// PostCode and PostName are the specialty (BOOKED), as in
	// GetScheduleInfo's Post: the code of the federal directory and its name.
	PostCode     string `xml:"Post_Code,omitempty"`
	PostName     string `xml:"Post_Name,omitempty"`
	ResourceName string `xml:"Resource_Name,omitempty"`
	MOName       string `xml:"MO_Name,omitempty"`
}

// Patient identifies the patient of an appointment made elsewhere.
type Patient struct {
	SNILS     string `xml:"SNILS,omitempty"`
	OMSNumber string `xml:"OMS_Number,omitempty"`
}

// UpdateAppointmentStatusResponse acknowledges a change: Event_Id names
// the history event the broker made of it (the same for a repeat).
type UpdateAppointmentStatusResponse struct {
	XMLName xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 UpdateAppointmentStatusResponse"`
	EventID string   `xml:"Event_Id"`
}

// statusTypes maps the request's statuses to the contract's callback types.
var statusTypes = map[string]string{
	StatusCancelled: misv2.CallbackCancelled, StatusMoved: misv2.CallbackMoved, StatusFulfilled: misv2.CallbackVisited,
	StatusNoShow: misv2.CallbackNoShow, StatusBooked: misv2.CallbackBookedElsewhere,
}

// ErrBadStatusUpdate marks a body that is not an UpdateAppointmentStatus
// request this version reads.
var ErrBadStatusUpdate = errors.New("UpdateAppointmentStatus request malformed")

// DecodeStatusUpdate reads an UpdateAppointmentStatus envelope strictly (an
// element the WSDL does not declare is refused) into the kind-neutral shape
// of a change, misv2.StatusCallback, validated as the JSON callbacks are.
func DecodeStatusUpdate(body []byte) (misv2.StatusCallback, error) {
	d, start, err := ReadEnvelope(bytes.NewReader(body))
	if err != nil {
		return misv2.StatusCallback{}, fmt.Errorf("%w: %v", ErrBadStatusUpdate, err)
	}
	if start.Name != (xml.Name{Space: Namespace, Local: MethodUpdateAppointmentStatus + "Request"}) {
		return misv2.StatusCallback{}, fmt.Errorf("%w: body element %s", ErrBadStatusUpdate, start.Name.Local)
	}
	var raw struct {
		UpdateAppointmentStatusRequest
		Extra []struct{ XMLName xml.Name } `xml:",any"`
	}
	if err := d.DecodeElement(&raw, &start); err != nil {
		return misv2.StatusCallback{}, fmt.Errorf("%w: %v", ErrBadStatusUpdate, err)
	}
	if len(raw.Extra) > 0 {
		return misv2.StatusCallback{}, fmt.Errorf("%w: undeclared element %s", ErrBadStatusUpdate, raw.Extra[0].XMLName.Local)
	}
	cb, err := raw.UpdateAppointmentStatusRequest.callback()
	if err != nil {
		return cb, err
	}
	return cb, cb.Validate()
}

func (r UpdateAppointmentStatusRequest) callback() (misv2.StatusCallback, error) {
	typ, ok := statusTypes[r.Status]
	if !ok {
		return misv2.StatusCallback{}, fmt.Errorf("%w: status %q", ErrBadStatusUpdate, r.Status)
	}
	at, err := parseTime(r.EventTime)
	if err != nil || at.IsZero() {
		return misv2.StatusCallback{}, fmt.Errorf("%w: Event_Time", ErrBadStatusUpdate)
	}
	start, err1 := parseTime(r.VisitTime)
	end, err2 := parseTime(r.VisitEndTime)
	if err1 != nil || err2 != nil {
		return misv2.StatusCallback{}, fmt.Errorf("%w: Visit_Time or Visit_End_Time", ErrBadStatusUpdate)
	}
	cb := misv2.StatusCallback{Type: typ, Timestamp: at, Data: misv2.StatusChangeData{
		AppointmentID: r.BookID, Sequence: r.Version, Reason: strings.ToLower(r.CancelReason), Start: start, End: end,
		Channel: strings.ToLower(r.Channel), Specialty: r.PostCode, Practitioner: r.ResourceName, Location: r.MOName,
	}}
	if r.Patient != nil {
		cb.Data.Patient = &misv2.CallbackPatient{SNILS: r.Patient.SNILS, OMS: r.Patient.OMSNumber}
	}
	return cb, nil
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, s)
}

// StatusUpdateOf is the request reporting cb: what a simulated MIS sends.
func StatusUpdateOf(cb misv2.StatusCallback) UpdateAppointmentStatusRequest {
	status := ""
	for s, typ := range statusTypes {
		if typ == cb.Type {
			status = s
		}
	}
	d := cb.Data
	r := UpdateAppointmentStatusRequest{BookID: d.AppointmentID, Status: status, EventTime: cb.Timestamp.Format(time.RFC3339Nano),
		Version: d.Sequence, CancelReason: strings.ToUpper(d.Reason), Channel: strings.ToUpper(d.Channel),
		PostCode: d.Specialty, PostName: misv2.SpecialtyName(d.Specialty), ResourceName: d.Practitioner, MOName: d.Location}
	if !d.Start.IsZero() {
		r.VisitTime, r.VisitEndTime = d.Start.Format(time.RFC3339), d.End.Format(time.RFC3339)
	}
	if d.Patient != nil {
		r.Patient = &Patient{SNILS: d.Patient.SNILS, OMSNumber: d.Patient.OMS}
	}
	return r
}

// StatusUpdateAccepted is the envelope acknowledging a change.
func StatusUpdateAccepted(eventID string) []byte {
	b, _ := Marshal(UpdateAppointmentStatusResponse{EventID: eventID})
	return b
}

// StatusUpdateRefused is the fault refusing a change: Error_Code is the
// problem code in the e-registry's style (callback-unauthenticated becomes
// CALLBACK_UNAUTHENTICATED); soap:Server from status 500 on.
func StatusUpdateRefused(status int, code, detail string) []byte {
	return MarshalFault(status >= 500, strings.ToUpper(strings.ReplaceAll(code, "-", "_")), detail)
}
