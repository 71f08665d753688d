package api

import (
	"net/http"
	"time"

	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/sagas"
	"github.com/go-chi/chi/v5"
)

type bookingJSON struct {
	ID        string         `json:"id"`
	Status    sagas.Status   `json:"status"`
	Region    string         `json:"region"`
	Slot      slotJSON       `json:"slot"`
	Reason    string         `json:"reason,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
	Timeline  []timelineJSON `json:"timeline"`
}

type timelineJSON struct {
	At     time.Time    `json:"at"`
	Status sagas.Status `json:"status"`
	Detail string       `json:"detail"`
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
	writeJSON(w, http.StatusOK, toBookingJSON(b))
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
	for i, b := range bs {
		out[i] = toBookingJSON(b)
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

func toBookingJSON(b bookings.Booking) bookingJSON {
	out := bookingJSON{ID: b.ID, Status: b.Status, Region: b.Region, Reason: b.Reason,
		CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, Timeline: make([]timelineJSON, len(b.Timeline)),
		Slot: slotJSON{ID: b.Slot.ID, Region: b.Region, Start: b.Slot.Start, End: b.Slot.End,
			Specialty: b.Slot.Specialty, SpecialtyName: b.Slot.SpecialtyName,
			Practitioner: practitionerJSON{ID: b.Slot.PractitionerID, Name: b.Slot.PractitionerName},
			Facility:     facilityJSON{ID: b.Slot.FacilityID, Name: b.Slot.FacilityName, Address: b.Slot.FacilityAddress}}}
	for i, e := range b.Timeline {
		out.Timeline[i] = timelineJSON{At: e.At, Status: e.Status, Detail: e.Detail}
	}
	return out
}
