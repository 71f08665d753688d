package rpcsim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/fedhealth/federation/contracts/misv1"
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
	spec     misv1.Coding
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

var surnames = []string{"Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов"}
var initials = []string{"А. В.", "Д. С.", "М. И.", "Е. П.", "О. Н.", "С. А.", "И. К.", "Т. Ю."}

// buildWorld lays out facilities, practitioners (the first of each
// organisation a therapist, as in missim) and slots on working days, in
// start order.
func buildWorld(cfg Config, loc *time.Location) (facs []*facility, slots []*slot) {
	r := rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(cfg.Seed)^0x2545f491))
	specs := missim.Specialties()
	var pracs []*practitioner
	for f := range cfg.Facilities {
		fac := &facility{
			oid:     fmt.Sprintf("1.2.643.5.1.13.13.12.2.%s.%d", cfg.Region, f+1),
			name:    fmt.Sprintf("ГБУЗ «Городская поликлиника № %d»", 1+r.IntN(9)+10*f),
			address: fmt.Sprintf("ул. Тверская, д. %d", 1+r.IntN(120)),
		}
		facs = append(facs, fac)
		for p := range cfg.PractitionersPerFacility {
			spec := specs[0]
			if p > 0 {
				spec = specs[1+(f+p-1)%(len(specs)-1)]
			}
			pracs = append(pracs, &practitioner{
				id:   fmt.Sprint(3001 + len(pracs)),
				name: surnames[r.IntN(len(surnames))] + " " + initials[r.IntN(len(initials))],
				spec: spec, fac: fac,
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
				slots = append(slots, &slot{prac: p, start: t, end: t.Add(step)})
			}
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
