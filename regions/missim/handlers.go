package missim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
)

func (s *Server) handleHold(w http.ResponseWriter, r *http.Request) {
	req, e := parseHold(w, r, s.cfg.Quirks)
	if e != nil {
		writeError(w, e)
		return
	}
	v, e := s.hold(req)
	s.answer(w)(s.cfg.Quirks.holdAnswer(v), e)
}

func (s *Server) handleBook(w http.ResponseWriter, r *http.Request) {
	key, e := s.cfg.Quirks.idempotencyKey(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.answer(w)(s.book(r.PathValue("id"), key))
}

func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request) {
	key, e := idempotencyKey(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.answer(w)(s.cancel(r.PathValue("id"), key))
}

func (s *Server) handleRead(w http.ResponseWriter, r *http.Request) {
	s.answer(w)(s.read(r.PathValue("id")))
}

// answer writes an operation's result: the appointment with 200, or the
// error. Every success is 200, so a repeat is indistinguishable from the
// first answer.
func (s *Server) answer(w http.ResponseWriter) func(apptView, *opError) {
	return func(v apptView, e *opError) {
		if e != nil {
			writeError(w, e)
			return
		}
		writeResource(w, http.StatusOK, s.renderAppointment(v))
	}
}

// handleFind answers GET /Appointment?identifier={IdempotencyKeySystem}|{key}.
func (s *Server) handleFind(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("date") {
		s.handlePeriod(w, r)
		return
	}
	ident := r.URL.Query().Get("identifier")
	system, key, found := strings.Cut(ident, "|")
	if !found {
		system, key = misv2.IdempotencyKeySystem, ident
	}
	if key == "" || system != misv2.IdempotencyKeySystem {
		writeError(w, errInvalid("identifier must be "+misv2.IdempotencyKeySystem+"|{key}"))
		return
	}
	b := misv2.Bundle{ResourceType: "Bundle", Type: "searchset"}
	if v, ok := s.findByHoldKey(key); ok {
		a := s.renderAppointment(v)
		b.Total = 1
		b.Entry = []misv2.BundleEntry{{
			FullURL:  baseURL(r) + "Appointment/" + a.ID,
			Resource: mustJSON(a),
			Search:   &misv2.BundleSearch{Mode: "match"},
		}}
	}
	writeResource(w, http.StatusOK, b)
}

// handleSearch answers GET /Slot with a searchset of Slots (match) and the
// Schedules, PractitionerRoles, Practitioners and Locations they point to
// (include).
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q, e := s.parseSlotQuery(r.URL.Query())
	if e != nil {
		writeError(w, e)
		return
	}
	hits, total := s.search(q)
	writeResource(w, http.StatusOK, s.searchBundle(baseURL(r), hits, total))
}

func (s *Server) searchBundle(base string, hits []slotHit, total int) misv2.Bundle {
	b := misv2.Bundle{ResourceType: "Bundle", Type: "searchset", Total: total}
	match := &misv2.BundleSearch{Mode: "match"}
	for _, h := range hits {
		b.Entry = append(b.Entry, misv2.BundleEntry{
			FullURL: base + "Slot/" + h.sl.id, Resource: mustJSON(renderSlot(h.sl, h.free, s.cfg.Quirks)), Search: match,
		})
	}
	if !s.cfg.Quirks.includes() {
		return b
	}
	return s.appendIncludes(b, base, hits)
}

// appendIncludes adds each referenced Schedule, PractitionerRole,
// Practitioner and Location once, in order of first reference.
func (s *Server) appendIncludes(b misv2.Bundle, base string, hits []slotHit) misv2.Bundle {
	include := &misv2.BundleSearch{Mode: "include"}
	add := func(path string, res json.RawMessage) {
		b.Entry = append(b.Entry, misv2.BundleEntry{FullURL: base + path, Resource: res, Search: include})
	}
	seenP, seenF := map[*practitioner]bool{}, map[*facility]bool{}
	for _, h := range hits {
		p := h.sl.prac
		if !seenP[p] {
			seenP[p] = true
			add("Schedule/"+p.scheduleID, s.inc.schedule[p])
			add("PractitionerRole/"+p.roleID, s.inc.role[p])
			add("Practitioner/"+p.practitionerID, s.inc.person[p])
		}
		if !seenF[p.fac] {
			seenF[p.fac] = true
			add("Location/"+p.fac.id, s.inc.location[p.fac])
		}
	}
	return b
}

// baseURL is the address the client used, for Bundle fullUrl values.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/"
}

// handlePeriod answers GET /Appointment?date=ge{from}&date=le{to} with
// every appointment whose start is within [from, to], whatever its status,
// each naming its patient by a logical reference (SNILS, or OMS without
// one) and, when made elsewhere, its channel: reconciliation reads it to find appointments made elsewhere.
func (s *Server) handlePeriod(w http.ResponseWriter, r *http.Request) {
	var from, to time.Time
	for _, d := range r.URL.Query()["date"] {
		t, err := time.Parse(time.RFC3339, d[min(2, len(d)):])
		switch {
		case err == nil && strings.HasPrefix(d, "ge"):
			from = t
		case err == nil && strings.HasPrefix(d, "le"):
			to = t
		default:
			writeError(w, errInvalid("date must be ge{RFC 3339} and le{RFC 3339}"))
			return
		}
	}
	if from.IsZero() || to.IsZero() || to.Before(from) {
		writeError(w, errInvalid("date needs both ge{from} and le{to}, from not after to"))
		return
	}
	b := misv2.Bundle{ResourceType: "Bundle", Type: "searchset"}
	for _, v := range s.inPeriod(from, to) {
		a := s.renderAppointment(v)
		if id := v.patient.identifier(); id != nil {
			a.Participant = append(a.Participant, misv2.AppointmentParticipant{
				Actor: misv2.Reference{Type: "Patient", Identifier: id}, Status: "accepted"})
		}
		if v.channel != "" {
			a.Extension = append(a.Extension, misv2.Extension{URL: misv2.ChannelExtension, ValueString: v.channel})
		}
		b.Entry = append(b.Entry, misv2.BundleEntry{
			FullURL: baseURL(r) + "Appointment/" + a.ID, Resource: mustJSON(a), Search: &misv2.BundleSearch{Mode: "match"}})
	}
	b.Total = len(b.Entry)
	writeResource(w, http.StatusOK, b)
}
