package api

import (
	"net/http"
	"time"

	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/sagas"
	"github.com/go-chi/chi/v5"
)

type bookingJSON struct {
	ID          string            `json:"id"`
	Status      sagas.Status      `json:"status"`
	Region      string            `json:"region"`
	Slot        slotJSON          `json:"slot"`
	ReasonCode  string            `json:"reason_code,omitempty"`
	Reason      string            `json:"reason,omitempty"`
	CancelledBy sagas.CancelledBy `json:"cancelled_by,omitempty"`
	Source      sagas.Source      `json:"source"`
	Channel     string            `json:"channel,omitempty"`
	MovingTo    *slotJSON         `json:"moving_to,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	Timeline    []timelineJSON    `json:"timeline"`
}

type timelineJSON struct {
	At            time.Time    `json:"at"`
	Status        sagas.Status `json:"status"`
	Source        sagas.Source `json:"source"`
	Code          string       `json:"code,omitempty"`
	Detail        string       `json:"detail"`
	PreviousStart *time.Time   `json:"previous_start,omitempty"`
	PreviousEnd   *time.Time   `json:"previous_end,omitempty"`
}

// bookingRequest is the body of POST /api/v1/bookings.
type bookingRequest struct {
	SlotID string `json:"slot_id"`
}

// acceptedJSON is the 202 that accepts a booking or its cancellation.
type acceptedJSON struct {
	ID     string       `json:"id"`
	Status sagas.Status `json:"status"`
}

// createBooking answers POST /api/v1/bookings with 202: the booking is
// recorded as pending and its saga queued.
func (s *Server) createBooking(w http.ResponseWriter, r *http.Request) {
	var req bookingRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.cfg.Bookings.RequestBooking(r.Context(), bookings.RequestBooking{
		Citizen: citizen(r), SlotID: req.SlotID, Key: r.Header.Get(HeaderIdempotencyKey),
		CorrelationID: CorrelationID(r.Context()),
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/bookings/"+b.ID)
	writeJSON(w, http.StatusAccepted, acceptedJSON{ID: b.ID, Status: b.Status})
}

// getBooking answers GET /api/v1/bookings/{id}; ?wait=10s answers as soon
// as the booking is final, or when the wait is over.
func (s *Server) getBooking(w http.ResponseWriter, r *http.Request) {
	var wait time.Duration
	if v := r.URL.Query().Get("wait"); v != "" {
		var err error
		if wait, err = time.ParseDuration(v); err != nil {
			s.writeError(w, r, errBadWait)
			return
		}
	}
	b, err := s.cfg.Bookings.GetBooking(r.Context(), bookings.GetBooking{Citizen: citizen(r), ID: chi.URLParam(r, "id"), Wait: wait})
	if err != nil {
		if r.Context().Err() != nil {
			return // the caller hung up
		}
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toBookingJSON(b, langOf(w, r)))
}

var errBadWait = bookings.Invalid("wait must be a duration such as 10s")

// listBookings answers GET /api/v1/bookings: the caller's history in every
// region, newest first.
func (s *Server) listBookings(w http.ResponseWriter, r *http.Request) {
	bs, err := s.cfg.Bookings.History(r.Context(), citizen(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]bookingJSON, len(bs))
	lang := langOf(w, r)
	for i, b := range bs {
		out[i] = toBookingJSON(b, lang)
	}
	writeJSON(w, http.StatusOK, map[string]any{"bookings": out})
}

// cancelBooking answers POST /api/v1/bookings/{id}/cancel with 202 and the
// booking's status; cancelling twice is harmless.
func (s *Server) cancelBooking(w http.ResponseWriter, r *http.Request) {
	b, err := s.cfg.Bookings.CancelBooking(r.Context(), bookings.CancelBooking{Citizen: citizen(r), ID: chi.URLParam(r, "id")})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, acceptedJSON{ID: b.ID, Status: b.Status})
}

// rescheduleRequest is the body of POST /api/v1/bookings/{id}/reschedule.
type rescheduleRequest struct {
	SlotID string `json:"slot_id"`
}

// rescheduleBooking answers POST /api/v1/bookings/{id}/reschedule with 202
// and the booking (rescheduling): the move's saga is queued.
func (s *Server) rescheduleBooking(w http.ResponseWriter, r *http.Request) {
	var req rescheduleRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.cfg.Bookings.RescheduleBooking(r.Context(), bookings.RescheduleBooking{
		Citizen: citizen(r), ID: chi.URLParam(r, "id"), SlotID: req.SlotID, CorrelationID: CorrelationID(r.Context()),
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, toBookingJSON(b, langOf(w, r)))
}

// toBookingJSON renders b in lang: the reason and every detail by code.
func toBookingJSON(b bookings.Booking, lang sagas.Lang) bookingJSON {
	out := bookingJSON{ID: b.ID, Status: b.Status, Region: b.Region, ReasonCode: b.ReasonCode,
		CancelledBy: b.CancelledBy, Source: b.Source, Channel: b.Channel,
		CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, Timeline: make([]timelineJSON, len(b.Timeline)),
		Slot: snapshotJSON(b.Region, b.Slot)}
	if b.Reason != "" || b.ReasonCode != "" {
		out.Reason = localize(b.ReasonCode, "", b.Reason, lang)
	}
	if b.MovingTo != nil {
		to := snapshotJSON(b.Region, *b.MovingTo)
		out.MovingTo = &to
	}
	for i, e := range b.Timeline {
		out.Timeline[i] = timelineJSON{At: e.At, Status: e.Status, Source: e.Source, Code: e.Code,
			Detail: localize(e.Code, e.Note, e.Detail, lang)}
		if out.Timeline[i].Source == "" {
			out.Timeline[i].Source = sagas.SourcePortal
		}
		if !e.PrevStart.IsZero() {
			// In the slot's own offset (the region's), as the slot is shown.
			loc := b.Slot.Start.Location()
			start, end := e.PrevStart.In(loc), e.PrevEnd.In(loc)
			out.Timeline[i].PreviousStart, out.Timeline[i].PreviousEnd = &start, &end
		}
	}
	return out
}
