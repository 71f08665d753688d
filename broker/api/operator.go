package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/sagas"
	"github.com/go-chi/chi/v5"
)

// queueItemJSON is one item of GET /api/v1/operator/queue: the booking id,
// what the operator must do and the slot, never the citizen's identifiers.
type queueItemJSON struct {
	ID            string                 `json:"id"`
	Kind          bookings.QueueItemKind `json:"kind"`
	Status        sagas.Status           `json:"status"`
	Region        string                 `json:"region"`
	Slot          slotJSON               `json:"slot"`
	AppointmentID string                 `json:"mis_appointment_id,omitempty"`
	CreatedAt     time.Time              `json:"created_at"`
	QueuedAt      time.Time              `json:"queued_at"`
	Deadline      *time.Time             `json:"deadline,omitempty"`
}

// queueParams are the parameters of GET /api/v1/operator/queue.
var (
	errQueueQueryUnknown = bookings.Invalid("The queue takes only limit and page_token, each once.")
	errQueueLimit        = bookings.Invalid("limit must be a whole number.")
)

// readQueue answers GET /api/v1/operator/queue: the operator's region's
// queue, oldest first, a page at a time.
func (s *Server) readQueue(w http.ResponseWriter, r *http.Request) {
	q, err := queueQuery(r.URL.RawQuery)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q.Operator = operator(r)
	page, err := s.cfg.Bookings.ReadQueue(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items := make([]queueItemJSON, len(page.Items))
	for i, it := range page.Items {
		items[i] = queueItemJSON{ID: it.ID, Kind: it.Kind, Status: it.Status, Region: it.Region,
			Slot: snapshotJSON(it.Region, it.Slot), AppointmentID: it.AppointmentID,
			CreatedAt: it.CreatedAt, QueuedAt: it.QueuedAt}
		if !it.Deadline.IsZero() {
			items[i].Deadline = &it.Deadline
		}
	}
	out := map[string]any{"items": items}
	if page.NextPageToken != "" {
		out["next_page_token"] = page.NextPageToken
	}
	writeJSON(w, http.StatusOK, out)
}

// queueQuery reads the queue's query string strictly, as searchQuery does.
func queueQuery(raw string) (bookings.ReadQueue, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return bookings.ReadQueue{}, errQueryMalformed
	}
	for name, values := range v {
		if (name != "limit" && name != "page_token") || len(values) > 1 {
			return bookings.ReadQueue{}, errQueueQueryUnknown
		}
	}
	q := bookings.ReadQueue{PageToken: v.Get("page_token")}
	if l := v.Get("limit"); l != "" {
		if q.Limit, err = strconv.Atoi(l); err != nil || q.Limit == 0 {
			return bookings.ReadQueue{}, errQueueLimit
		}
	}
	return q, nil
}

// confirmRequest and declineRequest are the bodies of the operator's
// confirm and decline.
type (
	confirmRequest struct {
		MISAppointmentID string `json:"mis_appointment_id"`
	}
	declineRequest struct {
		ReasonCode string `json:"reason_code"`
		Note       string `json:"note"`
		// Reason is the clinic's words under issue 9's name for them: the
		// note, with the generic code when reason_code is left out.
		Reason string `json:"reason"`
	}
)

// operatorAnswerJSON is the answer to an operator's action: the booking's
// id and the status it now has; for a decline, the code and the sentence
// the citizen reads (never the note).
type operatorAnswerJSON struct {
	ID         string       `json:"id"`
	Status     sagas.Status `json:"status"`
	Reason     string       `json:"reason,omitempty"`
	ReasonCode string       `json:"reason_code,omitempty"`
}

// confirmBooking answers POST /api/v1/operator/bookings/{id}/confirm.
func (s *Server) confirmBooking(w http.ResponseWriter, r *http.Request) {
	var req confirmRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.cfg.Bookings.ConfirmBooking(r.Context(), bookings.ConfirmBooking{
		Operator: operator(r), ID: chi.URLParam(r, "id"), MISAppointmentID: req.MISAppointmentID})
	s.answerOperator(w, r, b, err)
}

// declineBooking answers POST /api/v1/operator/bookings/{id}/decline.
func (s *Server) declineBooking(w http.ResponseWriter, r *http.Request) {
	var req declineRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	cmd := bookings.DeclineBooking{Operator: operator(r), ID: chi.URLParam(r, "id"), Code: req.ReasonCode, Note: req.Note, Reason: req.Reason}
	b, err := s.cfg.Bookings.DeclineBooking(r.Context(), cmd)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, operatorAnswerJSON{ID: b.ID, Status: b.Status, Reason: b.Reason, ReasonCode: string(cmd.DeclineCode())})
}

// acknowledgeCancellation answers POST
// /api/v1/operator/bookings/{id}/acknowledge. No body.
func (s *Server) acknowledgeCancellation(w http.ResponseWriter, r *http.Request) {
	b, err := s.cfg.Bookings.AcknowledgeCancellation(r.Context(), bookings.AcknowledgeCancellation{
		Operator: operator(r), ID: chi.URLParam(r, "id")})
	s.answerOperator(w, r, b, err)
}

func (s *Server) answerOperator(w http.ResponseWriter, r *http.Request, b bookings.Booking, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, operatorAnswerJSON{ID: b.ID, Status: b.Status, Reason: b.Reason})
}

// declinedCode is the code of an answered decline, for the audit record:
// the code only, never the note nor the sentence.
func declinedCode(answer []byte) string {
	var a operatorAnswerJSON
	if decodeJSON(answer, &a) != nil {
		return ""
	}
	return a.ReasonCode
}

// patientJSON is the answer of GET /api/v1/operator/bookings/{id}/patient:
// the identifiers the clinic needs to make the appointment.
type patientJSON struct {
	SNILS     string `json:"snils,omitempty"`
	OMS       string `json:"oms,omitempty"`
	BirthDate string `json:"birth_date,omitempty"`
}

// readPatient answers GET /api/v1/operator/bookings/{id}/patient, never
// to be stored by anything between (no-store); auditAccess records the
// disclosure (who, which booking, never the values).
func (s *Server) readPatient(w http.ResponseWriter, r *http.Request) {
	p, err := s.cfg.Bookings.ReadPatient(r.Context(), bookings.ReadPatient{Operator: operator(r), ID: chi.URLParam(r, "id")})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, patientJSON{SNILS: p.SNILS, OMS: p.OMS, BirthDate: p.BirthDate})
}

func snapshotJSON(region string, sl sagas.SlotSnapshot) slotJSON {
	return slotJSON{ID: sl.ID, Region: region, Start: sl.Start, End: sl.End,
		Specialty: sl.Specialty, SpecialtyName: sl.SpecialtyName,
		Practitioner: practitionerJSON{ID: sl.PractitionerID, Name: sl.PractitionerName},
		Facility:     facilityJSON{ID: sl.FacilityID, Name: sl.FacilityName, Address: sl.FacilityAddress}}
}
