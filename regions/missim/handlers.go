package missim

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/fedhealth/federation/contracts/misv1"
)

func (s *Server) handleHold(w http.ResponseWriter, r *http.Request) {
	req, e := parseHold(w, r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.answer(w)(s.hold(req))
}

func (s *Server) handleBook(w http.ResponseWriter, r *http.Request) {
	key, e := idempotencyKey(r)
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
	ident := r.URL.Query().Get("identifier")
	system, key, found := strings.Cut(ident, "|")
	if !found {
		system, key = misv1.IdempotencyKeySystem, ident
	}
	if key == "" || system != misv1.IdempotencyKeySystem {
		writeError(w, errInvalid("identifier must be "+misv1.IdempotencyKeySystem+"|{key}"))
		return
	}
	b := misv1.Bundle{ResourceType: "Bundle", Type: "searchset"}
	if v, ok := s.findByHoldKey(key); ok {
		a := s.renderAppointment(v)
		b.Total = 1
		b.Entry = []misv1.BundleEntry{{
			FullURL:  baseURL(r) + "Appointment/" + a.ID,
			Resource: mustJSON(a),
			Search:   &misv1.BundleSearch{Mode: "match"},
		}}
	}
	writeResource(w, http.StatusOK, b)
}

// handleSearch answers GET /Slot with a searchset of Slots (match) and the
// Schedules, PractitionerRoles and Locations they point to (include).
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q, e := s.parseSlotQuery(r.URL.Query())
	if e != nil {
		writeError(w, e)
		return
	}
	hits, total := s.search(q)
	writeResource(w, http.StatusOK, s.searchBundle(baseURL(r), hits, total))
}

func (s *Server) searchBundle(base string, hits []slotHit, total int) misv1.Bundle {
	b := misv1.Bundle{ResourceType: "Bundle", Type: "searchset", Total: total}
	match := &misv1.BundleSearch{Mode: "match"}
	for _, h := range hits {
		b.Entry = append(b.Entry, misv1.BundleEntry{
			FullURL: base + "Slot/" + h.sl.id, Resource: mustJSON(renderSlot(h.sl, h.free)), Search: match,
		})
	}
	return s.appendIncludes(b, base, hits)
}

// appendIncludes adds each referenced Schedule, PractitionerRole and
// Location once, in order of first reference.
func (s *Server) appendIncludes(b misv1.Bundle, base string, hits []slotHit) misv1.Bundle {
	include := &misv1.BundleSearch{Mode: "include"}
	add := func(path string, res json.RawMessage) {
		b.Entry = append(b.Entry, misv1.BundleEntry{FullURL: base + path, Resource: res, Search: include})
	}
	seenP, seenF := map[*practitioner]bool{}, map[*facility]bool{}
	for _, h := range hits {
		p := h.sl.prac
		if !seenP[p] {
			seenP[p] = true
			add("Schedule/"+p.scheduleID, s.inc.schedule[p])
			add("PractitionerRole/"+p.roleID, s.inc.role[p])
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
