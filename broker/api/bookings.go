package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/store"
	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
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

// bookingNamespace makes booking ids from (citizen, Idempotency-Key), so a
// request re-run after a crash finds the booking it already created.
var bookingNamespace = uuid.MustParse("6f1c4d2a-7f0e-4c55-9a59-2b8f3c1e9d10")

// createBooking answers POST /api/v1/bookings: it records the booking as
// pending and queues its saga, in one transaction, and answers 202.
func (s *Server) createBooking(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req struct {
		SlotID string `json:"slot_id"`
	}
	if err := decodeJSON(body, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	b, answer, err := s.startBooking(r, req.SlotID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/bookings/"+b.ID)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(answer)
}

// acceptedPending is the body of the 202 that accepts booking id.
func acceptedPending(id string) []byte {
	body, _ := json.Marshal(map[string]any{"id": id, "status": sagas.StatusPending})
	return append(body, '\n')
}

// startBooking records the booking and queues its saga; the answer for a
// retry with the same key is saved in the same transaction.
func (s *Server) startBooking(r *http.Request, slotID string) (*sagas.Booking, []byte, error) {
	region, misID, err := parseSlotID(slotID)
	if err != nil {
		return nil, nil, err
	}
	ctx := r.Context()
	slot, err := s.lookupSlot(ctx, region, misID)
	if err != nil {
		return nil, nil, err
	}
	citizen, pseudonym := s.citizen(r)
	sealed, err := sagas.SealPatient(s.cfg.Sealer, contracts.Patient{SNILS: citizen.SNILS, OMS: citizen.OMS})
	if err != nil {
		return nil, nil, err
	}
	key := r.Header.Get(HeaderIdempotencyKey)
	id := uuid.NewSHA1(bookingNamespace, []byte(pseudonym+"\x00"+key)).String()
	b := sagas.NewBooking(id, pseudonym, snapshot(region, slot), region, sealed, CorrelationID(ctx), s.cfg.Now(), s.cfg.BookingDeadline)
	answer := acceptedPending(b.ID)
	// Once the slot is described, the booking is recorded even if the
	// citizen hangs up: the retry then finds it instead of a key in flight.
	createCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err = s.cfg.Bookings.Create(store.WithIdempotencyAnswer(createCtx, pseudonym, key, http.StatusAccepted, answer), b)
	if errors.Is(err, contracts.ErrConflict) {
		// Re-run after a crash: the booking exists. Answer what the first
		// run would have (accepted, pending), whatever it has become since.
		if b, err = s.ownBooking(ctx, id, pseudonym); err != nil {
			return nil, nil, err
		}
		return b, acceptedPending(b.ID), nil
	}
	if err != nil {
		return nil, nil, err
	}
	answerSaved(ctx)
	return b, answer, nil
}

// lookupSlot describes the slot from the search cache, or asks the MIS.
func (s *Server) lookupSlot(ctx context.Context, region, misID string) (contracts.Slot, error) {
	if sl, ok := s.slots.get(globalSlotID(region, misID)); ok {
		return sl, nil
	}
	mis, err := s.cfg.Regions.MIS(region)
	if err != nil {
		return contracts.Slot{}, err
	}
	sl, err := mis.ReadSlot(ctx, misID)
	switch {
	case errors.Is(err, contracts.ErrNotFound):
		return sl, fmt.Errorf("slot %s in region %s: %w", misID, region, errUnknownSlot)
	case err != nil:
		return sl, fmt.Errorf("region %s: %w", region, err)
	case !sl.Free:
		return sl, fmt.Errorf("slot %s in region %s: %w", misID, region, contracts.ErrSlotTaken)
	}
	s.slots.put(region, sl)
	return sl, nil
}

func snapshot(region string, sl contracts.Slot) sagas.SlotSnapshot {
	return sagas.SlotSnapshot{
		ID: globalSlotID(region, sl.ID), MISSlotID: sl.ID, Start: sl.Start, End: sl.End,
		Specialty: sl.Specialty.Code, SpecialtyName: sl.Specialty.Display,
		PractitionerID: sl.Practitioner.ID, PractitionerName: sl.Practitioner.Name,
		FacilityID: sl.Facility.ID, FacilityName: sl.Facility.Name, FacilityAddress: sl.Facility.Address,
	}
}

// ownBooking returns the booking if it belongs to the citizen. Another
// citizen's booking is reported as not found, not as forbidden, so ids
// cannot be probed.
func (s *Server) ownBooking(ctx context.Context, id, pseudonym string) (*sagas.Booking, error) {
	b, err := s.cfg.Bookings.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if b.Citizen != pseudonym {
		return nil, fmt.Errorf("booking %s: %w", id, contracts.ErrNotFound)
	}
	return b, nil
}

// maxWait caps the long-poll of GET /api/v1/bookings/{id}?wait=.
const maxWait = 30 * time.Second

// getBooking answers GET /api/v1/bookings/{id}. With ?wait=10s it answers
// as soon as the booking reaches a final status, or when the wait is over:
// one request instead of a polling loop.
func (s *Server) getBooking(w http.ResponseWriter, r *http.Request) {
	wait, err := parseWait(r.URL.Query().Get("wait"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, pseudonym := s.citizen(r)
	id := chi.URLParam(r, "id")
	until := s.cfg.Now().Add(wait)
	for {
		changed, stop := s.watch(id, wait)
		b, err := s.ownBooking(r.Context(), id, pseudonym)
		remaining := until.Sub(s.cfg.Now())
		if err != nil || b.Status.Final() || remaining <= 0 {
			stop()
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			writeJSON(w, http.StatusOK, toBookingJSON(b))
			return
		}
		// Changes made by other instances are not signalled: re-read at
		// least twice a second.
		select {
		case <-changed:
		case <-time.After(min(remaining, 500*time.Millisecond)):
		case <-r.Context().Done():
			stop()
			return
		}
		stop()
	}
}

func (s *Server) watch(id string, wait time.Duration) (<-chan struct{}, func()) {
	if wait <= 0 || s.cfg.Watch == nil {
		return nil, func() {}
	}
	return s.cfg.Watch(id)
}

func parseWait(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > maxWait {
		return 0, fmt.Errorf("wait must be a duration up to %s, e.g. 10s: %w", maxWait, contracts.ErrInvalid)
	}
	return d, nil
}

// listBookings answers GET /api/v1/bookings: the caller's history in every
// region, newest first.
func (s *Server) listBookings(w http.ResponseWriter, r *http.Request) {
	_, pseudonym := s.citizen(r)
	bs, err := s.cfg.Bookings.ListByCitizen(r.Context(), pseudonym, 200)
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

var errAlreadyCancelling = errors.New("already cancelling")

// cancelBooking answers POST /api/v1/bookings/{id}/cancel with 202 and
// starts the cancellation saga; cancelling twice is harmless.
func (s *Server) cancelBooking(w http.ResponseWriter, r *http.Request) {
	_, pseudonym := s.citizen(r)
	id := chi.URLParam(r, "id")
	err := s.cfg.Bookings.Update(r.Context(), id, func(b *sagas.Booking) error {
		switch {
		case b.Citizen != pseudonym:
			return fmt.Errorf("booking %s: %w", id, contracts.ErrNotFound)
		case b.Status == sagas.StatusCancelling || b.Status == sagas.StatusCancelled:
			return errAlreadyCancelling
		}
		if err := b.RequestCancel(s.cfg.Now()); err != nil {
			return fmt.Errorf("%w: %v", errNotCancellable, err)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errAlreadyCancelling) {
		s.writeError(w, r, err)
		return
	}
	b, err := s.ownBooking(r.Context(), id, pseudonym)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": b.ID, "status": b.Status})
}

func toBookingJSON(b *sagas.Booking) bookingJSON {
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
