package missim

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// AdminAppointment is one hold or appointment as /admin/appointments shows
// it, in every simulator of this repository (missim, soapsim, rpcsim), so
// that tests, demos and the drills read every kind alike. It names no
// patient.
//
// Status is the simulator's own word for it: "pending", "booked",
// "cancelled" or "expired" here ("expired" is a hold that lapsed before it
// was booked or released; contract reads show it as "cancelled"); the
// styles without holds have only booked and cancelled, in their wire's
// spelling (soapsim "BOOKED"/"CANCELLED"), so compare case-insensitively.
// The keys are the Idempotency-Keys that created and changed it; a style
// whose MIS takes no keys leaves them empty, and HoldExpires is zero where
// nothing lapses by itself.
type AdminAppointment struct {
	ID          string    `json:"id"`
	SlotID      string    `json:"slot_id"`
	Status      string    `json:"status"`
	HoldKey     string    `json:"hold_key,omitempty"`
	BookKey     string    `json:"book_key,omitempty"`
	CancelKey   string    `json:"cancel_key,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	HoldExpires time.Time `json:"hold_expires,omitzero"`
}

// Admin is the admin surface every simulator of this repository offers,
// whatever style its contract speaks: the faults it injects and every
// appointment it ever made. AdminHandler serves it over HTTP. It is safe
// for concurrent use.
type Admin interface {
	// Appointments returns every hold and appointment ever made, oldest
	// first.
	Appointments() []AdminAppointment
	// Faults returns the faults in force.
	Faults() Faults
	// SetFaults replaces the injected faults after checking them
	// (Faults.Validate); calls in flight keep the old ones.
	SetFaults(Faults) error
}

// QuirkAdmin is a simulator that says which quirks it has (set at start,
// never changed: GET /admin/quirks only reads them).
type QuirkAdmin interface {
	// Quirks returns the simulator's quirks.
	Quirks() Quirks
}

// AdminHandler serves a's admin endpoints, behind AdminAuth(token):
// GET /admin/appointments, GET /admin/faults and PUT /admin/faults (the
// body replaces all faults; an unknown field or a value out of range is a
// 400 and changes nothing). Every simulator mounts it at /admin/. When a
// is a QuirkAdmin it serves GET /admin/quirks; when it is a ClinicAdmin
// (every simulator that books), it also serves the
// clinic's side: POST /admin/appointments/{id}/status (StatusRequest) and
// POST /admin/appointments (ElsewhereRequest), each answered with the
// change and what became of its callback (CallbackReport).
func AdminHandler(token string, a Admin) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/appointments", func(w http.ResponseWriter, _ *http.Request) {
		writeBody(w, "application/json", http.StatusOK, map[string]any{"appointments": a.Appointments()})
	})
	mux.HandleFunc("GET /admin/faults", func(w http.ResponseWriter, _ *http.Request) {
		writeBody(w, "application/json", http.StatusOK, a.Faults())
	})
	mux.HandleFunc("PUT /admin/faults", func(w http.ResponseWriter, r *http.Request) { putFaults(w, r, a) })
	if qa, ok := a.(QuirkAdmin); ok {
		mux.HandleFunc("GET /admin/quirks", func(w http.ResponseWriter, _ *http.Request) {
			writeBody(w, "application/json", http.StatusOK, map[string]any{"quirks": append(Quirks{}, qa.Quirks()...)})
		})
	}
	if ca, ok := a.(ClinicAdmin); ok {
		mux.HandleFunc("POST /admin/appointments/{id}/status", func(w http.ResponseWriter, r *http.Request) { postStatus(w, r, ca) })
		mux.HandleFunc("POST /admin/appointments", func(w http.ResponseWriter, r *http.Request) { postElsewhere(w, r, ca) })
	}
	return AdminAuth(token, mux)
}

// clinicAnswer is the answer to a clinic's change.
type clinicAnswer struct {
	AppointmentID string         `json:"appointment_id"`
	Sequence      int64          `json:"sequence"`
	Callback      CallbackReport `json:"callback"`
}

func postStatus(w http.ResponseWriter, r *http.Request, ca ClinicAdmin) {
	var req StatusRequest
	if !decodeAdmin(w, r, &req) {
		return
	}
	if err := req.Check(); err != nil {
		adminError(w, err)
		return
	}
	c, err := ca.ChangeStatus(r.PathValue("id"), req)
	if err != nil {
		adminError(w, err)
		return
	}
	rep := ca.Notifier().Send(r.Context(), CallbackOf(req, c, time.Now()))
	writeBody(w, "application/json", http.StatusOK, clinicAnswer{AppointmentID: c.AppointmentID, Sequence: c.Sequence, Callback: rep})
}

func postElsewhere(w http.ResponseWriter, r *http.Request, ca ClinicAdmin) {
	var req ElsewhereRequest
	if !decodeAdmin(w, r, &req) {
		return
	}
	if err := req.Check(); err != nil {
		adminError(w, err)
		return
	}
	c, err := ca.BookElsewhere(req)
	if err != nil {
		adminError(w, err)
		return
	}
	rep := ca.Notifier().Send(r.Context(), ElsewhereCallbackOf(req, c, time.Now()))
	writeBody(w, "application/json", http.StatusCreated, clinicAnswer{AppointmentID: c.AppointmentID, Sequence: c.Sequence, Callback: rep})
}

func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeBody(w, "application/json", http.StatusBadRequest, map[string]string{"error": "bad request: " + err.Error()})
		return false
	}
	return true
}

func adminError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrNoAppointment):
		status = http.StatusNotFound
	case errors.Is(err, ErrBadChange):
		status = http.StatusBadRequest
	case errors.Is(err, ErrNotChangeable):
		status = http.StatusConflict
	}
	writeBody(w, "application/json", status, map[string]string{"error": err.Error()})
}

func putFaults(w http.ResponseWriter, r *http.Request, a Admin) {
	var f Faults
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		writeBody(w, "application/json", http.StatusBadRequest, map[string]string{"error": "bad faults: " + err.Error()})
		return
	}
	if err := a.SetFaults(f); err != nil {
		writeBody(w, "application/json", http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeBody(w, "application/json", http.StatusOK, f)
}

// Appointments returns every hold and appointment ever made, oldest first.
func (s *Server) Appointments() []AdminAppointment {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]AdminAppointment, len(s.appts))
	for i, a := range s.appts {
		out[i] = AdminAppointment{
			ID: a.id, SlotID: a.slot.id, Status: a.statusAt(now),
			HoldKey: a.holdKey, BookKey: a.bookKey, CancelKey: a.cancelKey,
			CreatedAt: a.created.In(s.loc), UpdatedAt: a.updated.In(s.loc), HoldExpires: a.expires.In(s.loc),
		}
		if out[i].Status == statusExpired && a.status != statusExpired {
			out[i].UpdatedAt = a.expires.In(s.loc)
		}
	}
	return out
}

// Every simulator offers the one admin surface.
var _ Admin = (*Server)(nil)
