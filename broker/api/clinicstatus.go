package api

import (
	"net/http"
	"time"

	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/go-chi/chi/v5"
)

// clinicStatusRequest is the body of POST
// /api/v1/operator/bookings/{id}/status: what the clinic did to a
// confirmed booking of the operator's feed region.
type clinicStatusRequest struct {
	Status     string `json:"status"`
	ReasonCode string `json:"reason_code"`
	Note       string `json:"note"`
	// Start and End are RFC 3339 times, read here so that a malformed one
	// is named as such.
	Start string `json:"start"`
	End   string `json:"end"`
}

// clinicStatusAnswerJSON is its answer: the event that was published
// (the history shows it moments later) and the status it records; never
// the note.
type clinicStatusAnswerJSON struct {
	ID            string       `json:"id"`
	EventID       string       `json:"event_id"`
	Status        string       `json:"status"`
	ReasonCode    string       `json:"reason_code,omitempty"`
	BookingStatus sagas.Status `json:"booking_status"`
}

var errClinicTime = bookings.Invalid("start and end must be RFC 3339 times with an offset, like 2026-12-24T10:00:00+10:00.")

// recordClinicStatus answers POST /api/v1/operator/bookings/{id}/status:
// 202 once the change is on its way to the history, by the path of the
// other region kinds' callbacks.
func (s *Server) recordClinicStatus(w http.ResponseWriter, r *http.Request) {
	var req clinicStatusRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	start, err1 := optionalTime(req.Start)
	end, err2 := optionalTime(req.End)
	if err1 != nil || err2 != nil {
		s.writeError(w, r, errClinicTime)
		return
	}
	got, err := s.cfg.Bookings.RecordClinicStatus(r.Context(), bookings.RecordClinicStatus{
		Operator: operator(r), ID: chi.URLParam(r, "id"), Status: req.Status, ReasonCode: req.ReasonCode,
		Note: req.Note, Start: start, End: end, Key: r.Header.Get(HeaderIdempotencyKey)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, clinicStatusAnswerJSON{ID: got.ID, EventID: got.EventID,
		Status: statusName(got.Change), ReasonCode: req.ReasonCode, BookingStatus: got.Status})
}

func optionalTime(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, v)
}

// statusName spells a change as the request does.
func statusName(c contracts.ClinicChange) string {
	if c == contracts.ClinicNoShow {
		return "no-show"
	}
	return string(c)
}

// recordedStatus is the status (and a cancellation's code) of an answered
// record, for the audit trail: never the note.
func recordedStatus(answer []byte) string {
	var a clinicStatusAnswerJSON
	if decodeJSON(answer, &a) != nil {
		return ""
	}
	if a.ReasonCode != "" {
		return a.Status + ":" + a.ReasonCode
	}
	return a.Status
}
