package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/sagas"
)

// statusWait is how long the booking page's script waits per poll for the
// booking to be final (GetBooking with a wait, capped by the service).
const statusWait = 20 * time.Second

// book requests the booking of the form's slot with the form's key, then
// shows the booking: pending at once.
func (s *Server) book(w http.ResponseWriter, r *http.Request, c auth.Citizen) {
	b, err := s.cfg.Bookings.RequestBooking(r.Context(), bookings.RequestBooking{
		Citizen: c, SlotID: r.PostFormValue("slot_id"), Key: r.PostFormValue("key")})
	if aerr := s.record(r, audit.BookingCreate, b.ID, err, ""); aerr != nil {
		err = aerr
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/bookings/"+b.ID, http.StatusSeeOther)
}

// bookingView is one booking as its page shows it.
type bookingView struct {
	bookings.Booking
	When, Zone, MovingWhen string
	Upcoming, Live, Final  bool
	Cancellable            bool
	Reschedulable          bool
	Timeline               []entryView
}

type entryView struct {
	sagas.TimelineEntry
	When, Previous string
}

func (s *Server) toView(b bookings.Booking, now time.Time) bookingView {
	loc := s.location(b.Region)
	start := b.Slot.Start.In(loc)
	v := bookingView{Booking: b, When: start.Format("2006-01-02 15:04"), Zone: zoneOf(start),
		Upcoming: start.After(now), Final: settled(b)}
	v.Live = v.Upcoming && !slices.Contains([]sagas.Status{sagas.StatusRejected, sagas.StatusFailed, sagas.StatusCancelled}, b.Status)
	v.Cancellable = v.Upcoming && b.MovingTo == nil && b.Source == sagas.SourcePortal &&
		(b.Status == sagas.StatusConfirmed || b.Status == sagas.StatusPending)
	v.Reschedulable = v.Upcoming && b.MovingTo == nil && b.Source == sagas.SourcePortal && b.Status == sagas.StatusConfirmed &&
		s.regionKind(b.Region) != "feed"
	if b.MovingTo != nil {
		v.MovingWhen = b.MovingTo.Start.In(loc).Format("2006-01-02 15:04")
	}
	for _, e := range b.Timeline {
		ev := entryView{TimelineEntry: e, When: e.At.In(loc).Format("2006-01-02 15:04:05")}
		if ev.Source == "" {
			ev.Source = sagas.SourcePortal
		}
		if !e.PrevStart.IsZero() {
			ev.Previous = e.PrevStart.In(loc).Format("2006-01-02 15:04")
		}
		v.Timeline = append(v.Timeline, ev)
	}
	return v
}

func (s *Server) regionKind(code string) string {
	for _, reg := range s.cfg.Bookings.Regions() {
		if reg.Code == code {
			return string(reg.Kind)
		}
	}
	return ""
}

// bookingPage shows one booking; while it is pending the page's script
// asks bookingStatus for the change, and without script a meta refresh
// and a link do.
func (s *Server) bookingPage(w http.ResponseWriter, r *http.Request, c auth.Citizen) {
	id, err := pathID(r)
	var b bookings.Booking
	if err == nil {
		b, err = s.cfg.Bookings.GetBooking(r.Context(), bookings.GetBooking{Citizen: c, ID: id})
		if aerr := s.record(r, audit.BookingRead, id, err, ""); aerr != nil {
			err = aerr
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "booking", "booking.title", s.toView(b, time.Now()))
}

// statusJSON is what the booking page's script reads: the status and the
// reason in the reader's language, and whether to stop asking.
type statusJSON struct {
	Status     sagas.Status `json:"status"`
	StatusText string       `json:"status_text"`
	Reason     string       `json:"reason,omitempty"`
	Final      bool         `json:"final"`
}

// bookingStatus answers the page's long poll (same origin, the session's
// cookie): GetBooking waits until the booking is final or statusWait.
func (s *Server) bookingStatus(w http.ResponseWriter, r *http.Request, c auth.Citizen) {
	id, err := pathID(r)
	var b bookings.Booking
	if err == nil {
		b, err = s.cfg.Bookings.GetBooking(r.Context(), bookings.GetBooking{Citizen: c, ID: id, Wait: statusWait})
		if r.Context().Err() != nil {
			return // the page went away
		}
		if aerr := s.record(r, audit.BookingRead, id, err, ""); aerr != nil {
			err = aerr
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		status, key, _ := explain(err)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": tr(langOf(r), key)})
		return
	}
	lang := langOf(r)
	out := statusJSON{Status: b.Status, StatusText: tr(lang, "status."+string(b.Status)), Final: settled(b)}
	if b.Reason != "" || b.ReasonCode != "" {
		out.Reason = view{Lang: lang}.Text(b.ReasonCode, "", b.Reason)
	}
	_ = json.NewEncoder(w).Encode(out)
}

// settled reports whether the booking will not change by itself: final,
// and not moving to another time (a move keeps the status confirmed).
func settled(b bookings.Booking) bool { return b.Status.Final() && b.MovingTo == nil }

// cancel cancels the booking and shows it (cancelling, or cancelled).
func (s *Server) cancel(w http.ResponseWriter, r *http.Request, c auth.Citizen) {
	id, err := pathID(r)
	if err == nil {
		_, err = s.cfg.Bookings.CancelBooking(r.Context(), bookings.CancelBooking{Citizen: c, ID: id})
		if aerr := s.record(r, audit.BookingCancel, id, err, ""); aerr != nil {
			err = aerr
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/bookings/"+id, http.StatusSeeOther)
}

// reschedule moves the booking to the form's slot (of its practitioner,
// found by the search the booking page links to) and shows the booking.
func (s *Server) reschedule(w http.ResponseWriter, r *http.Request, c auth.Citizen) {
	id, err := pathID(r)
	if err == nil {
		_, err = s.cfg.Bookings.RescheduleBooking(r.Context(), bookings.RescheduleBooking{
			Citizen: c, ID: id, SlotID: r.PostFormValue("slot_id")})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/bookings/"+id, http.StatusSeeOther)
}

// appointmentsView is the history page's data.
type appointmentsView struct {
	Upcoming, Past []bookingView
}

// appointments is the consolidated history across regions: upcoming
// first (soonest first), then the rest (newest first), each with its
// timeline.
func (s *Server) appointments(w http.ResponseWriter, r *http.Request, c auth.Citizen) {
	bs, err := s.cfg.Bookings.History(r.Context(), c)
	if aerr := s.record(r, audit.BookingList, "", err, ""); aerr != nil && err == nil {
		err = aerr
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := time.Now()
	var v appointmentsView
	for _, b := range bs {
		bv := s.toView(b, now)
		if bv.Live {
			v.Upcoming = append(v.Upcoming, bv)
		} else {
			v.Past = append(v.Past, bv)
		}
	}
	slices.SortStableFunc(v.Upcoming, func(a, b bookingView) int { return a.Slot.Start.Compare(b.Slot.Start) })
	s.render(w, r, http.StatusOK, "appointments", "mine.title", v)
}
