package web

import (
	"net/http"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// queueView is the operator page's data: the region's queue, oldest
// first, one page of it.
type queueView struct {
	Region string
	Items  []queueItemView
	Codes  []declineCodeView
	Next   string
	Done   bool
	// Confirmed are the region's confirmed bookings, on which the
	// operator records what the clinic did (clinicstatus.go), with the
	// clinic's cancellation reasons.
	Confirmed []confirmedView
	Reasons   []clinicReasonView
	// Refused is the region's refused status callbacks (nil: not shown).
	Refused *refusedView
}

type queueItemView struct {
	bookings.QueueItem
	When, Zone, Deadline string
	Cancellation         bool
}

type declineCodeView struct {
	Code, Text string
}

// queue shows the operator's region's queue with confirm and decline.
func (s *Server) queue(w http.ResponseWriter, r *http.Request, op auth.Operator) {
	page, err := s.cfg.Bookings.ReadQueue(r.Context(), bookings.ReadQueue{Operator: op, PageToken: r.URL.Query().Get("page")})
	if aerr := s.record(r, audit.OperatorQueueRead, "", err, ""); aerr != nil && err == nil {
		err = aerr
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	loc := s.location(op.Region)
	lang := langOf(r)
	v := queueView{Region: op.Region, Next: page.NextPageToken, Done: r.URL.Query().Get("done") != ""}
	for _, it := range page.Items {
		start := it.Slot.Start.In(loc)
		iv := queueItemView{QueueItem: it, When: start.Format("2006-01-02 15:04"), Zone: zoneOf(start),
			Cancellation: it.Kind == bookings.QueueCancellation}
		if !it.Deadline.IsZero() {
			iv.Deadline = it.Deadline.In(loc).Format("2006-01-02 15:04")
		}
		v.Items = append(v.Items, iv)
	}
	if v.Confirmed, v.Reasons, err = s.confirmedOf(r, op); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Refused, err = s.refusedCallbacks(r.Context(), op.Region, loc); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, c := range sagas.DeclineCodes() {
		v.Codes = append(v.Codes, declineCodeView{Code: string(c), Text: view{Lang: lang}.Text(sagas.DeclineReasonCode(c), "", string(c))})
	}
	s.render(w, r, http.StatusOK, "queue", "queue.title", v)
}

// confirm records the clinic's appointment number: the booking is
// confirmed and the citizen's page shows it.
func (s *Server) confirm(w http.ResponseWriter, r *http.Request, op auth.Operator) {
	s.act(w, r, audit.OperatorConfirm, func(id string) (string, error) {
		_, err := s.cfg.Bookings.ConfirmBooking(r.Context(), bookings.ConfirmBooking{
			Operator: op, ID: id, MISAppointmentID: r.PostFormValue("mis_appointment_id")})
		return "", err
	})
}

// decline rejects the booking with the chosen code and note.
func (s *Server) decline(w http.ResponseWriter, r *http.Request, op auth.Operator) {
	s.act(w, r, audit.OperatorDecline, func(id string) (string, error) {
		code := r.PostFormValue("reason_code")
		_, err := s.cfg.Bookings.DeclineBooking(r.Context(), bookings.DeclineBooking{
			Operator: op, ID: id, Code: code, Note: r.PostFormValue("note")})
		return code, err // the audit record keeps the code only, never the note
	})
}

// acknowledge records a citizen's cancellation as done at the clinic.
func (s *Server) acknowledge(w http.ResponseWriter, r *http.Request, op auth.Operator) {
	s.act(w, r, audit.OperatorAcknowledge, func(id string) (string, error) {
		_, err := s.cfg.Bookings.AcknowledgeCancellation(r.Context(), bookings.AcknowledgeCancellation{Operator: op, ID: id})
		return "", err
	})
}

// act runs one operator action on the path's booking, records it and goes
// back to the queue.
func (s *Server) act(w http.ResponseWriter, r *http.Request, action audit.Action, do func(id string) (reason string, err error)) {
	id, err := pathID(r)
	reason := ""
	if err == nil {
		reason, err = do(id)
		if err != nil {
			reason = ""
		}
		if aerr := s.record(r, action, id, err, reason); aerr != nil && err == nil {
			err = aerr
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/operator?done=1", http.StatusSeeOther)
}

// patientView is the identifiers the clinic needs, shown once per click.
type patientView struct {
	ID string
	contracts.Patient
	At string
}

// patient opens the sealed identifiers of a booking in the queue: a
// deliberate POST (never prefetched, never a link to share), recorded in
// the audit trail before it is shown, and never cached.
func (s *Server) patient(w http.ResponseWriter, r *http.Request, op auth.Operator) {
	id, err := pathID(r)
	var p contracts.Patient
	if err == nil {
		p, err = s.cfg.Bookings.ReadPatient(r.Context(), bookings.ReadPatient{Operator: op, ID: id})
		if aerr := s.record(r, audit.OperatorPatientRead, id, err, ""); aerr != nil && err == nil {
			err = aerr
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "patient", "patient.title",
		patientView{ID: id, Patient: p, At: time.Now().In(s.location(op.Region)).Format("2006-01-02 15:04")})
}
