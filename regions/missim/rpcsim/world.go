package rpcsim

import (
	"fmt"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/missim"
)

// facility is a medical organisation (LPU).
type facility struct {
	oid, name, address string
}

// practitioner is an available resource: a doctor with one specialty at
// one organisation.
type practitioner struct {
	id, name string
	spec     misv2.Coding
	fac      *facility
}

// slot is one interval of a practitioner's schedule; live is guarded by
// Server.mu, the rest is immutable. The API has no slot ids: a slot is
// found by its resource and start (slotKey).
type slot struct {
	prac       *practitioner
	start, end time.Time
	live       *appointment
}

func slotKey(resourceID string, start time.Time) string {
	return fmt.Sprintf("%s|%d", resourceID, start.Unix())
}

// buildWorld lays out missim's directory for cfg (missim.Directory: the
// same polyclinics and doctors as the FHIR simulator of the same seed)
// with this style's resource ids (numeric, from 3001), and every doctor's slots
// (missim.SlotStarts), in start order.
func buildWorld(cfg Config, loc *time.Location) (facs []*facility, slots []*slot) {
	var pracs []*practitioner
	for _, f := range missim.Directory(cfg) {
		fac := &facility{oid: f.OID, name: f.Name, address: f.Address}
		facs = append(facs, fac)
		for _, d := range f.Doctors {
			pracs = append(pracs, &practitioner{id: fmt.Sprint(3000 + d.N), name: d.Name, spec: d.Specialty, fac: fac})
		}
	}
	step := time.Duration(cfg.SlotMinutes) * time.Minute
	for _, t := range missim.SlotStarts(cfg, loc) {
		for _, p := range pracs {
			slots = append(slots, &slot{prac: p, start: t, end: t.Add(step)})
		}
	}
	return facs, slots
}

// wire renders the slot as getAvailableResourceScheduleInfo does; the
// caller holds the lock.
func (s *slot) wire() jsonrpc.ScheduleSlot {
	p, f := s.prac, s.prac.fac
	return jsonrpc.ScheduleSlot{
		StartTime: s.start.Format(time.RFC3339), EndTime: s.end.Format(time.RFC3339), Available: s.live == nil,
		AvailableResource: jsonrpc.AvailableResource{ID: p.id, Name: p.name, SpecialityID: p.spec.Code, SpecialityName: p.spec.Display},
		Lpu:               jsonrpc.Lpu{ID: f.oid, Name: f.name, Address: f.address},
	}
}
