package jsonrpc

import (
	"encoding/json"
	"strconv"
)

// Version is the JSON-RPC version every request and answer names.
const Version = "2.0"

// ContentType is the media type of requests and answers.
const ContentType = "application/json"

// The methods, named as the Moscow city API names them. Each is described
// in openrpc.json; a test checks the document, the adapter and the
// simulator name the same set.
const (
	MethodSchedule   = "getAvailableResourceScheduleInfo"
	MethodCreate     = "createAppointment"
	MethodCancel     = "cancelAppointment"
	MethodShift      = "shiftAppointment"
	MethodReceptions = "getAppointmentReceptionsByPatient"
)

// Methods lists every method the adapter calls and the simulator serves.
func Methods() []string {
	return []string{MethodSchedule, MethodCreate, MethodCancel, MethodShift, MethodReceptions}
}

// Request is a JSON-RPC 2.0 call with named parameters. ID is never
// absent: the adapter sends no notifications, since it needs every answer.
type Request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params,omitempty"`
}

// Response is a JSON-RPC 2.0 answer: exactly one of Result and Error.
type Response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

// Error is a JSON-RPC error object. Message and Data are free text from
// the MIS and may name the patient: the adapter never quotes them.
type Error struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// Error names the error by its code only.
func (e *Error) Error() string { return "JSON-RPC error " + strconv.Itoa(e.Code) }

// The JSON-RPC 2.0 standard error codes.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternalError  = -32603
)

// The application error codes of this API (openrpc.json, components.errors),
// and the contracts error each becomes in the adapter (errors.go).
const (
	CodeSlotTaken          = 1001
	CodeNotAttached        = 1002
	CodeReferralRequired   = 1003
	CodePatientUnknown     = 1004
	CodeAppointmentUnknown = 1005
	CodeSlotUnknown        = 1006
	CodeBusy               = 1007
)

// Appointment statuses as getAppointmentReceptionsByPatient and
// cancelAppointment report them.
const (
	StatusBooked    = "booked"
	StatusCancelled = "cancelled"
	StatusFulfilled = "fulfilled"
	StatusNoShow    = "noshow"
)

// ScheduleParams selects slots. Dates are calendar dates in the region's
// time zone, both inclusive. Without IncludeBusy only available slots are
// listed; AvailableResourceID with StartTime names one slot.
type ScheduleParams struct {
	SpecialityID        string `json:"specialityId,omitempty"`
	AvailableResourceID string `json:"availableResourceId,omitempty"`
	LpuID               string `json:"lpuId,omitempty"`
	StartDate           string `json:"startDate,omitempty"`
	EndDate             string `json:"endDate,omitempty"`
	StartTime           string `json:"startTime,omitempty"`
	IncludeBusy         bool   `json:"includeBusy,omitempty"`
	MaxCount            int    `json:"maxCount,omitempty"`
}

// ScheduleResult is the schedule by day and, within a day, by slot.
type ScheduleResult struct {
	ScheduleOfDay []DaySchedule `json:"scheduleOfDay"`
}

// DaySchedule is one local calendar day's slots, ordered by start.
type DaySchedule struct {
	Date           string         `json:"date"`
	ScheduleBySlot []ScheduleSlot `json:"scheduleBySlot"`
}

// ScheduleSlot is one interval of a resource's schedule. The API has no
// slot ids: a slot is its resource and its start and end time (RFC 3339
// with the region's UTC offset).
type ScheduleSlot struct {
	StartTime         string            `json:"startTime"`
	EndTime           string            `json:"endTime"`
	Available         bool              `json:"available"`
	AvailableResource AvailableResource `json:"availableResource"`
	Lpu               Lpu               `json:"lpu"`
}

// AvailableResource is the practitioner (a doctor's schedule) with the
// specialty it serves.
type AvailableResource struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	SpecialityID   string `json:"specialityId"`
	SpecialityName string `json:"specialityName"`
}

// Lpu is the medical organisation (LPU, "лечебно-профилактическое
// учреждение").
type Lpu struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Address string `json:"address"`
}

// CreateParams books the slot of AvailableResourceID from StartTime to
// EndTime for the patient named by OMS policy and birth date.
type CreateParams struct {
	OmsNumber           string `json:"omsNumber"`
	BirthDate           string `json:"birthDate"`
	AvailableResourceID string `json:"availableResourceId"`
	StartTime           string `json:"startTime"`
	EndTime             string `json:"endTime"`
}

// CreateResult names the appointment made.
type CreateResult struct {
	ID string `json:"id"`
}

// CancelParams cancels one appointment.
type CancelParams struct {
	AppointmentID string `json:"appointmentId"`
}

// CancelResult is the appointment's status afterwards (cancelled;
// cancelling a cancelled appointment answers the same).
type CancelResult struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// ShiftParams moves an appointment to another slot, keeping its id.
type ShiftParams struct {
	AppointmentID       string `json:"appointmentId"`
	AvailableResourceID string `json:"availableResourceId"`
	StartTime           string `json:"startTime"`
	EndTime             string `json:"endTime"`
}

// ShiftResult is the appointment where it stands now.
type ShiftResult = Reception

// ReceptionsParams names the patient whose appointments are read back.
type ReceptionsParams struct {
	OmsNumber string `json:"omsNumber"`
	BirthDate string `json:"birthDate"`
}

// ReceptionsResult lists the patient's appointments, oldest first.
type ReceptionsResult struct {
	Appointments []Reception `json:"appointments"`
}

// Reception is one appointment as the read-back shows it.
type Reception struct {
	ID                  string `json:"id"`
	AvailableResourceID string `json:"availableResourceId"`
	StartTime           string `json:"startTime"`
	EndTime             string `json:"endTime"`
	Status              string `json:"status"`
}
