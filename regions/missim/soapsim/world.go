package soapsim

import (
	"fmt"
	"slices"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/soap"
)

// facility is a medical organisation (MO) with its practitioners, in the
// directory's order.
type facility struct {
	oid, name, address, phone string
	pracs                     []*practitioner
}

// practitioner is a resource: a doctor with one post at one MO.
type practitioner struct {
	id, name string
	post     misv2.Coding
	fac      *facility
}

// slot is one interval of a practitioner's schedule; live is guarded by
// Server.mu, the rest is immutable.
type slot struct {
	id         string
	prac       *practitioner
	start, end time.Time
	live       *appointment
}

// buildWorld lays out missim's directory for cfg (missim.Directory: the
// same polyclinics and doctors as the FHIR simulator of the same seed)
// with this style's resource ids (R-<n>), and every doctor's slots
// (missim.SlotStarts), in start order.
func buildWorld(cfg Config, loc *time.Location) (facs []*facility, slots []*slot) {
	var pracs []*practitioner
	for i, f := range missim.Directory(cfg) {
		fac := &facility{oid: f.OID, name: f.Name, address: f.Address, phone: fmt.Sprintf("+7 800 200-%s-%02d", cfg.Region, i+1)}
		facs = append(facs, fac)
		for _, d := range f.Doctors {
			p := &practitioner{id: fmt.Sprintf("R-%d", d.N), name: d.Name, post: d.Specialty, fac: fac}
			fac.pracs = append(fac.pracs, p)
			pracs = append(pracs, p)
		}
	}
	step := time.Duration(cfg.SlotMinutes) * time.Minute
	for _, t := range missim.SlotStarts(cfg, loc) {
		for _, p := range pracs {
			slots = append(slots, &slot{id: fmt.Sprintf("SL-%d", len(slots)+1), prac: p, start: t, end: t.Add(step)})
		}
	}
	return facs, slots
}

// posts groups the facility's practitioners by post, in the order each
// post first appears, as GetServicePostSpecsInfo answers.
func (f *facility) posts() []soap.ServicePost {
	var out []soap.ServicePost
	for _, p := range f.pracs {
		i := slices.IndexFunc(out, func(sp soap.ServicePost) bool { return sp.Code == p.post.Code })
		if i < 0 {
			out = append(out, soap.ServicePost{Code: p.post.Code, Name: p.post.Display})
			i = len(out) - 1
		}
		out[i].Resources = append(out[i].Resources, soap.Resource{ID: p.id, Name: p.name})
	}
	return out
}

// hasPost reports whether a practitioner of f serves the post code.
func (f *facility) hasPost(code string) bool {
	return slices.ContainsFunc(f.pracs, func(p *practitioner) bool { return p.post.Code == code })
}

// wire renders the slot as GetScheduleInfo does; the caller holds the lock.
func (s *slot) wire() soap.ScheduleSlot {
	state := soap.SlotFree
	if s.live != nil {
		state = soap.SlotBusy
	}
	f := s.prac.fac
	return soap.ScheduleSlot{
		SlotID: s.id, Start: s.start.Format(time.RFC3339), End: s.end.Format(time.RFC3339), State: state,
		Post:     soap.Post{Code: s.prac.post.Code, Name: s.prac.post.Display},
		Resource: soap.Resource{ID: s.prac.id, Name: s.prac.name},
		MO:       soap.MO{OID: f.oid, Name: f.name, Address: f.address},
	}
}
