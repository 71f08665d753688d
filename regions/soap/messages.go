package soap

import "encoding/xml"

// Namespace is the e-registry's message namespace, as community clients and
// mocks of the federal service use it.
const Namespace = "http://www.rt-eu.ru/med/er/v2_0"

// EnvelopeNamespace is SOAP 1.1's envelope namespace.
const EnvelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/"

// The methods, named as the e-registry names them. Each is one WSDL
// operation whose SOAPAction is Action(method) and whose messages are the
// elements <method>Request and <method>Response.
const (
	MethodGetPatientInfo = "GetPatientInfo"
	// MethodGetMOInfoExtended lists the region's medical organisations.
	MethodGetMOInfoExtended = "GetMOInfoExtended"
	// MethodGetServicePostSpecsInfo lists one organisation's posts
	// (specialties) and their resources (practitioners).
	MethodGetServicePostSpecsInfo = "GetServicePostSpecsInfo"
	MethodGetScheduleInfo         = "GetScheduleInfo"
	MethodCreateAppointment       = "CreateAppointment"
	MethodCancelAppointment       = "CancelAppointment"
	MethodGetPatientAppointments  = "GetPatientAppointments"
	// MethodGetAppointmentsByPeriod is reconciliation's read by period.
	MethodGetAppointmentsByPeriod = "GetAppointmentsByPeriod"
)

// Methods lists every method the adapter calls and the simulator serves,
// in the e-registry's call order: patient, organisations, posts,
// schedule, then the appointment.
func Methods() []string {
	return []string{MethodGetPatientInfo, MethodGetMOInfoExtended, MethodGetServicePostSpecsInfo, MethodGetScheduleInfo,
		MethodCreateAppointment, MethodCancelAppointment, MethodGetPatientAppointments, MethodGetAppointmentsByPeriod}
}

// Action is the SOAPAction header value of method.
func Action(method string) string { return Namespace + "/" + method }

// Appointment statuses as GetPatientAppointments and CancelAppointment
// report them.
const (
	StatusBooked    = "BOOKED"
	StatusCancelled = "CANCELLED"
	StatusFulfilled = "FULFILLED"
	StatusNoShow    = "NOSHOW"
)

// Slot states as GetScheduleInfo reports them.
const (
	SlotFree = "FREE"
	SlotBusy = "BUSY"
)

// GetPatientInfoRequest identifies the patient by OMS policy number or
// SNILS (at least one), with the birth date when the caller knows it.
type GetPatientInfoRequest struct {
	XMLName   xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 GetPatientInfoRequest"`
	OMSNumber string   `xml:"OMS_Number,omitempty"`
	SNILS     string   `xml:"SNILS,omitempty"`
	BirthDate string   `xml:"Birth_Date,omitempty"` // YYYY-MM-DD
}

// GetPatientInfoResponse carries the session that later calls name the
// patient by.
type GetPatientInfoResponse struct {
	XMLName   xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 GetPatientInfoResponse"`
	SessionID string   `xml:"Session_ID"`
}

// BookingTypeAppointment is the one Booking_Type of GetMOInfoExtended this
// style serves: organisations that take appointments.
const BookingTypeAppointment = "APPOINTMENT"

// GetMOInfoExtendedRequest asks for the region's medical organisations:
// with PostCode, only those with that post; BookingType, when given, must
// be BookingTypeAppointment.
type GetMOInfoExtendedRequest struct {
	XMLName     xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 GetMOInfoExtendedRequest"`
	SessionID   string   `xml:"Session_ID,omitempty"`
	PostCode    string   `xml:"Post_Code,omitempty"`
	BookingType string   `xml:"Booking_Type,omitempty"`
}

// GetMOInfoExtendedResponse lists the organisations.
type GetMOInfoExtendedResponse struct {
	XMLName xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 GetMOInfoExtendedResponse"`
	MOs     []MOInfo `xml:"MO_List>MO"`
}

// MOInfo is one organisation of the directory.
type MOInfo struct {
	OID     string `xml:"MO_OID"`
	Name    string `xml:"MO_Name"`
	Address string `xml:"MO_Address"`
	Phone   string `xml:"MO_Phone,omitempty"`
}

// GetServicePostSpecsInfoRequest asks for the posts of the organisation
// MO_OID (required); an unknown one is the fault MO_NOT_FOUND.
type GetServicePostSpecsInfoRequest struct {
	XMLName   xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 GetServicePostSpecsInfoRequest"`
	SessionID string   `xml:"Session_ID,omitempty"`
	MOOID     string   `xml:"MO_OID"`
}

// GetServicePostSpecsInfoResponse lists the organisation's posts.
type GetServicePostSpecsInfoResponse struct {
	XMLName xml.Name      `xml:"http://www.rt-eu.ru/med/er/v2_0 GetServicePostSpecsInfoResponse"`
	Posts   []ServicePost `xml:"Posts>Post"`
}

// ServicePost is one post (specialty, by its federal code) of an
// organisation with the resources (practitioners) that serve it.
type ServicePost struct {
	Code      string     `xml:"Post_Code"`
	Name      string     `xml:"Post_Name"`
	Resources []Resource `xml:"Resources>Resource"`
}

// GetScheduleInfoRequest selects slots. Dates are calendar dates in the
// region's time zone, both inclusive. With SlotID it returns that one slot,
// free or busy; without it, free slots only, of the organisation MOOID,
// which is then required (the fault INVALID_REQUEST otherwise).
type GetScheduleInfoRequest struct {
	XMLName    xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 GetScheduleInfoRequest"`
	MOOID      string   `xml:"MO_OID,omitempty"`
	PostCode   string   `xml:"Post_Code,omitempty"`
	ResourceID string   `xml:"Resource_Id,omitempty"`
	SlotID     string   `xml:"Slot_Id,omitempty"`
	StartDate  string   `xml:"Start_Date_Range,omitempty"`
	EndDate    string   `xml:"End_Date_Range,omitempty"`
	MaxCount   int      `xml:"Max_Count,omitempty"`
}

// GetScheduleInfoResponse lists slots ordered by start time.
type GetScheduleInfoResponse struct {
	XMLName xml.Name       `xml:"http://www.rt-eu.ru/med/er/v2_0 GetScheduleInfoResponse"`
	Slots   []ScheduleSlot `xml:"Slots>Slot"`
}

// ScheduleSlot is one slot. Visit times are xs:dateTime with the region's
// UTC offset.
type ScheduleSlot struct {
	SlotID   string   `xml:"Slot_Id"`
	Start    string   `xml:"Visit_Time"`
	End      string   `xml:"Visit_End_Time"`
	State    string   `xml:"Slot_State"`
	Post     Post     `xml:"Post"`
	Resource Resource `xml:"Resource"`
	MO       MO       `xml:"MO"`
}

// Post is the specialty (post) the slot is for.
type Post struct {
	Code string `xml:"Post_Code"`
	Name string `xml:"Post_Name"`
}

// Resource is the practitioner whose schedule the slot belongs to.
type Resource struct {
	ID   string `xml:"Resource_Id"`
	Name string `xml:"Resource_Name"`
}

// MO is the medical organisation, routed by its registry OID.
type MO struct {
	OID     string `xml:"MO_OID"`
	Name    string `xml:"MO_Name"`
	Address string `xml:"MO_Address"`
}

// CreateAppointmentRequest books Slot_Id for the session's patient.
type CreateAppointmentRequest struct {
	XMLName   xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 CreateAppointmentRequest"`
	SessionID string   `xml:"Session_ID"`
	SlotID    string   `xml:"Slot_Id"`
}

// CreateAppointmentResponse names the appointment made.
type CreateAppointmentResponse struct {
	XMLName xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 CreateAppointmentResponse"`
	BookID  string   `xml:"Book_Id"`
}

// CancelAppointmentRequest cancels Book_Id; Session_ID, when given, must
// be a session of the appointment's patient.
type CancelAppointmentRequest struct {
	XMLName   xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 CancelAppointmentRequest"`
	SessionID string   `xml:"Session_ID,omitempty"`
	BookID    string   `xml:"Book_Id"`
}

// CancelAppointmentResponse reports the appointment's status afterwards
// (CANCELLED; cancelling a cancelled appointment answers the same).
type CancelAppointmentResponse struct {
	XMLName xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 CancelAppointmentResponse"`
	BookID  string   `xml:"Book_Id"`
	Status  string   `xml:"Status"`
}

// GetPatientAppointmentsRequest is the read-back method of this adapter's
// design: the appointments of the session's patient, or the one named by
// Book_Id (at least one of the two).
type GetPatientAppointmentsRequest struct {
	XMLName   xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 GetPatientAppointmentsRequest"`
	SessionID string   `xml:"Session_ID,omitempty"`
	BookID    string   `xml:"Book_Id,omitempty"`
}

// GetPatientAppointmentsResponse lists appointments, oldest first.
type GetPatientAppointmentsResponse struct {
	XMLName      xml.Name             `xml:"http://www.rt-eu.ru/med/er/v2_0 GetPatientAppointmentsResponse"`
	Appointments []PatientAppointment `xml:"Appointments>Appointment"`
}

// PatientAppointment is one appointment as the read-back shows it.
type PatientAppointment struct {
	BookID string `xml:"Book_Id"`
	SlotID string `xml:"Slot_Id"`
	Status string `xml:"Status"`
}

// GetAppointmentsByPeriodRequest asks for every appointment whose visit
// starts within [From, To] (xs:dateTime).
type GetAppointmentsByPeriodRequest struct {
	XMLName xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 GetAppointmentsByPeriodRequest"`
	From    string   `xml:"From"`
	To      string   `xml:"To"`
}

// GetAppointmentsByPeriodResponse lists the period's appointments, oldest
// first.
type GetAppointmentsByPeriodResponse struct {
	XMLName      xml.Name            `xml:"http://www.rt-eu.ru/med/er/v2_0 GetAppointmentsByPeriodResponse"`
	Appointments []PeriodAppointment `xml:"Appointments>Appointment"`
}

// PeriodAppointment is one appointment of the period, with its patient
// (personal data: the adapter hands it to reconciliation only).
type PeriodAppointment struct {
	BookID       string `xml:"Book_Id"`
	SlotID       string `xml:"Slot_Id"`
	Status       string `xml:"Status"`
	VisitTime    string `xml:"Visit_Time"`
	VisitEndTime string `xml:"Visit_End_Time"`
	PatientSNILS string `xml:"Patient_SNILS,omitempty"`
	PatientOMS   string `xml:"Patient_OMS,omitempty"`
	Channel      string `xml:"Channel,omitempty"`
}
