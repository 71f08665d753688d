package missim

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
)

// Search limits of _count.
const (
	defaultCount = 100
	maxCount     = 1000
)

// slotQuery is a parsed GET /Slot.
type slotQuery struct {
	id         string
	status     string // "free", "busy" or "" for both
	specialty  string
	prac       string
	location   string
	from, till time.Time // from inclusive, till exclusive; zero is open
	count      int
}

// slotHit is one matching slot with its status at search time.
type slotHit struct {
	sl   *slot
	free bool
}

// parseSlotQuery reads the search parameters of doc.go; unknown parameters
// are ignored, as FHIR servers do, but known ones must be well formed.
func (s *Server) parseSlotQuery(v url.Values) (slotQuery, *opError) {
	q := slotQuery{
		id:        v.Get("_id"),
		status:    v.Get("status"),
		specialty: tokenIn(v.Get("specialty"), misv2.SpecialtySystem),
		prac:      refID(codeOf(v.Get("practitioner"))),
		location:  codeOf(v.Get("location")),
		count:     defaultCount,
	}
	if q.status != "" && q.status != "free" && q.status != "busy" {
		return q, errInvalid(`status must be "free" or "busy"`)
	}
	if c := v.Get("_count"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			return q, errInvalid("_count must be a non-negative integer")
		}
		q.count = s.cfg.Quirks.count(min(n, maxCount), defaultCount)
	}
	s.cfg.Quirks.filters(&q)
	for _, d := range v["start"] {
		if e := s.applyDate(&q, d); e != nil {
			return q, e
		}
	}
	return q, nil
}

// applyDate reads start=geYYYY-MM-DD / leYYYY-MM-DD (dates in the region's
// zone, le inclusive of the whole day) or gt/lt with an RFC 3339 instant.
func (s *Server) applyDate(q *slotQuery, d string) *opError {
	if len(d) < 3 {
		return errInvalid("start must be ge/le/gt/lt followed by a date")
	}
	prefix, val := d[:2], d[2:]
	t, isDate, err := s.parseWhen(val)
	if err != nil {
		return errInvalid("start: " + err.Error())
	}
	switch {
	case prefix == "ge" || (prefix == "gt" && isDate):
		q.from = later(q.from, t)
	case prefix == "gt":
		q.from = later(q.from, t.Add(time.Nanosecond))
	case prefix == "le" && isDate:
		q.till = earlier(q.till, t.AddDate(0, 0, 1))
	case prefix == "le":
		q.till = earlier(q.till, t.Add(time.Nanosecond))
	case prefix == "lt":
		q.till = earlier(q.till, t)
	default:
		return errInvalid("start prefix must be ge, le, gt or lt")
	}
	return nil
}

func (s *Server) parseWhen(v string) (t time.Time, isDate bool, err error) {
	if len(v) == len(time.DateOnly) {
		t, err = time.ParseInLocation(time.DateOnly, v, s.cfg.Quirks.dateZone(s.loc))
		return t, true, err
	}
	t, err = time.Parse(time.RFC3339, v)
	return t, false, err
}

func later(a, b time.Time) time.Time {
	if a.IsZero() || b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// codeOf drops an optional "system|" prefix of a token parameter.
func codeOf(v string) string {
	if i := strings.LastIndexByte(v, '|'); i >= 0 {
		return v[i+1:]
	}
	return v
}

// tokenIn reads a token parameter of one code system: "code" or
// "system|code". A code of another system is kept whole, so it matches no
// code of system, as FHIR's token search means.
func tokenIn(v, system string) string {
	sys, _, found := strings.Cut(v, "|")
	if !found || sys == "" || sys == system {
		return codeOf(v)
	}
	return v
}

// refID drops an optional "Type/" prefix of a reference parameter.
func refID(v string) string {
	if i := strings.LastIndexByte(v, '/'); i >= 0 {
		return v[i+1:]
	}
	return v
}

// search scans the start-ordered slots from the lower bound. Free slots are
// those without a live appointment that have not started yet.
func (s *Server) search(q slotQuery) (hits []slotHit, total int) {
	if q.id != "" {
		return s.searchByID(q)
	}
	slots := s.world.slots
	i := sort.Search(len(slots), func(i int) bool { return !slots[i].start.Before(q.from) })
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sl := range slots[i:] {
		if !q.till.IsZero() && !sl.start.Before(q.till) {
			break
		}
		if !q.matchStatic(sl) {
			continue
		}
		free := s.cfg.Quirks.shownFree(sl, now) && sl.start.After(now)
		if (q.status == "free" && !free) || (q.status == "busy" && free) {
			continue
		}
		total++
		if len(hits) < q.count {
			hits = append(hits, slotHit{sl, free})
		}
	}
	return s.cfg.Quirks.order(hits), total
}

func (s *Server) searchByID(q slotQuery) ([]slotHit, int) {
	sl := s.slotByID(s.cfg.Quirks.slotRead(q.id))
	if sl == nil || !q.matchStatic(sl) {
		return nil, 0
	}
	now := s.cfg.Now()
	s.mu.Lock()
	free := s.cfg.Quirks.shownFree(sl, now) && sl.start.After(now)
	s.mu.Unlock()
	return []slotHit{{sl, free}}, 1
}

// matchStatic applies the filters that do not depend on bookings.
func (q slotQuery) matchStatic(sl *slot) bool {
	p := sl.prac
	switch {
	case q.specialty != "" && q.specialty != p.spec.Code:
		return false
	case q.prac != "" && q.prac != p.roleID && q.prac != p.practitionerID:
		return false
	case q.location != "" && !p.fac.matches(q.location):
		return false
	}
	return true
}

// matches accepts a Location id ("L-1", "Location/L-1") or the facility's
// OID, bare or as "urn:oid:…".
func (f *facility) matches(v string) bool {
	v = strings.TrimPrefix(v, "urn:oid:")
	return v == f.oid || refID(v) == f.id
}
