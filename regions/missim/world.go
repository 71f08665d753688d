package missim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// facility is a polyclinic (FHIR Location).
type facility struct {
	id, oid, name string
	street, city  string
	index         int
}

// practitioner is a doctor with one specialty at one facility; it stands
// for a PractitionerRole and its Schedule.
type practitioner struct {
	roleID, practitionerID, scheduleID string
	name, snils                        string
	spec                               specialty
	fac                                *facility
}

// slot is one interval of a practitioner's schedule. Everything but live is
// immutable after New; live is guarded by Server.mu.
type slot struct {
	id               string
	prac             *practitioner
	start, end       time.Time
	startStr, endStr string
	live             *appointment // pending or booked, nil when free
}

// world is the seeded directory of one region.
type world struct {
	facilities    []*facility
	practitioners []*practitioner
	slots         []*slot // sorted by start, then id; slots[i].id == "S-<i+1>"
}

func buildWorld(cfg Config, loc *time.Location) *world {
	w := &world{}
	w.facilities, w.practitioners = buildDirectory(cfg)
	w.slots = generateSlots(cfg, loc, w.practitioners)
	return w
}

// buildDirectory lays out the seeded polyclinics and their doctors (see
// Directory, which shows them to the other styles' simulators).
func buildDirectory(cfg Config) (facs []*facility, pracs []*practitioner) {
	r := rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(cfg.Seed)^0x9e3779b97f4a7c15))
	for f := range cfg.Facilities {
		fac := newFacility(r, cfg.Region, f)
		facs = append(facs, fac)
		for p := range cfg.PractitionersPerFacility {
			pracs = append(pracs, newPractitioner(r, fac, p, len(pracs)+1))
		}
	}
	return facs, pracs
}

func newFacility(r *rand.Rand, region string, i int) *facility {
	n := i + 1
	return &facility{
		id:     fmt.Sprintf("L-%d", n),
		oid:    fmt.Sprintf("1.2.643.5.1.13.13.12.2.%s.%d", region, n),
		name:   fmt.Sprintf("ГБУЗ «Городская поликлиника № %d»", 1+r.IntN(9)+10*i),
		street: fmt.Sprintf("%s, д. %d", pick(r, streets), 1+r.IntN(120)),
		city:   cityOf(region),
		index:  i,
	}
}

// newPractitioner gives the first doctor of every facility the therapy
// specialty (primary care is everywhere) and rotates through the others.
func newPractitioner(r *rand.Rand, fac *facility, i, n int) *practitioner {
	spec := specialties[0]
	if i > 0 {
		spec = specialties[1+(fac.index+i-1)%(len(specialties)-1)]
	}
	return &practitioner{
		roleID:         fmt.Sprintf("PR-%d", n),
		practitionerID: fmt.Sprintf("P-%d", n),
		scheduleID:     fmt.Sprintf("SCH-%d", n),
		name:           personName(r),
		snils:          newSNILS(r),
		spec:           spec,
		fac:            fac,
	}
}

// generateSlots gives every practitioner the slots of SlotStarts; ids
// follow start order so they are stable per config.
func generateSlots(cfg Config, loc *time.Location, pracs []*practitioner) []*slot {
	step := time.Duration(cfg.SlotMinutes) * time.Minute
	var out []*slot
	for _, t := range SlotStarts(cfg, loc) {
		for _, p := range pracs {
			out = append(out, newSlot(len(out)+1, p, t, t.Add(step)))
		}
	}
	return out
}

func newSlot(n int, p *practitioner, start, end time.Time) *slot {
	return &slot{
		id:       fmt.Sprintf("S-%d", n),
		prac:     p,
		start:    start,
		end:      end,
		startStr: start.Format(time.RFC3339),
		endStr:   end.Format(time.RFC3339),
	}
}
