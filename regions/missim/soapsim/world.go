package soapsim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/fedhealth/federation/contracts/misv1"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/soap"
)

// facility is a medical organisation (MO).
type facility struct {
	oid, name, address string
}

// practitioner is a resource: a doctor with one post at one MO.
type practitioner struct {
	id, name string
	post     misv1.Coding
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

var surnames = []string{"Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов"}
var initials = []string{"А. В.", "Д. С.", "М. И.", "Е. П.", "О. Н.", "С. А.", "И. К.", "Т. Ю."}

// buildWorld lays out facilities, practitioners (the first of each MO a
// therapist, as in missim) and slots on working days, ids in start order.
func buildWorld(cfg Config, loc *time.Location) (facs []*facility, slots []*slot) {
	r := rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(cfg.Seed)^0x5bd1e995))
	specs := missim.Specialties()
	var pracs []*practitioner
	for f := range cfg.Facilities {
		fac := &facility{
			oid:     fmt.Sprintf("1.2.643.5.1.13.13.12.2.%s.%d", cfg.Region, f+1),
			name:    fmt.Sprintf("ГБУЗ «Поликлиника № %d»", 1+r.IntN(9)+10*f),
			address: fmt.Sprintf("ул. Ленина, д. %d", 1+r.IntN(120)),
		}
		facs = append(facs, fac)
		for p := range cfg.PractitionersPerFacility {
			spec := specs[0]
			if p > 0 {
				spec = specs[1+(f+p-1)%(len(specs)-1)]
			}
			pracs = append(pracs, &practitioner{
				id:   fmt.Sprintf("R-%d", len(pracs)+1),
				name: surnames[r.IntN(len(surnames))] + " " + initials[r.IntN(len(initials))],
				post: spec, fac: fac,
			})
		}
	}
	now := cfg.Now().In(loc)
	day0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	step := time.Duration(cfg.SlotMinutes) * time.Minute
	for d := range cfg.Days {
		day := day0.AddDate(0, 0, d)
		if day.Weekday() == time.Sunday {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), cfg.DayStartHour, 0, 0, 0, loc)
		end := time.Date(day.Year(), day.Month(), day.Day(), cfg.DayEndHour, 0, 0, 0, loc)
		for t := start; !t.Add(step).After(end); t = t.Add(step) {
			for _, p := range pracs {
				slots = append(slots, &slot{id: fmt.Sprintf("SL-%d", len(slots)+1), prac: p, start: t, end: t.Add(step)})
			}
		}
	}
	return facs, slots
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
