package missim

import (
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
)

// Facility is one polyclinic of a region's seeded directory, as Directory
// lays it out for every simulator of this repository.
type Facility struct {
	// OID is the facility's federal registry OID,
	// 1.2.643.5.1.13.13.12.2.<region>.<n>.
	OID     string
	Name    string
	Address string
	Doctors []Doctor
}

// Doctor is one practitioner of a facility. N numbers the region's
// doctors from 1, facility by facility; each style names its resources
// from it.
type Doctor struct {
	N         int
	Name      string
	Specialty misv2.Coding // from the simulator's directory (Specialties)
}

// Directory returns the polyclinics and doctors of the region cfg
// describes (defaults filled in), the very ones New serves for the same
// Config: the first doctor of every polyclinic a therapist (SpecialtyTherapy), the others
// rotating through the specialties. The other styles' simulators (soapsim,
// rpcsim) lay out their regions from it, so that one seed shows one
// region alike in every style and the generator is written once.
func Directory(cfg Config) []Facility {
	cfg.setDefaults()
	facs, pracs := buildDirectory(cfg)
	out := make([]Facility, len(facs))
	for i, f := range facs {
		out[i] = Facility{OID: f.oid, Name: f.name, Address: "г. " + f.city + ", " + f.street} // as the FHIR Location's text
	}
	for n, p := range pracs {
		f := &out[p.fac.index]
		f.Doctors = append(f.Doctors, Doctor{N: n + 1, Name: p.name,
			Specialty: misv2.Coding{System: misv2.SpecialtySystem, Code: p.spec.Code, Display: p.spec.Display}})
	}
	return out
}

// SlotStarts returns the start of every slot of one practitioner's
// schedule, in order: working days (Monday to Saturday) from the local day
// of cfg.Now for cfg.Days days, from DayStartHour to DayEndHour in loc,
// each slot SlotMinutes long (defaults filled in). Every simulator of this
// repository gives each practitioner these slots (in UTC under
// QuirkWrongTimezone, the one place that quirk lives).
func SlotStarts(cfg Config, loc *time.Location) []time.Time {
	cfg.setDefaults()
	now := cfg.Now().In(loc)
	day0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	step := time.Duration(cfg.SlotMinutes) * time.Minute
	var out []time.Time
	for d := range cfg.Days {
		day := day0.AddDate(0, 0, d)
		if day.Weekday() == time.Sunday {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), cfg.DayStartHour, 0, 0, 0, loc)
		end := time.Date(day.Year(), day.Month(), day.Day(), cfg.DayEndHour, 0, 0, 0, loc)
		for t := start; !t.Add(step).After(end); t = t.Add(step) {
			out = append(out, cfg.Quirks.slotTime(t))
		}
	}
	return out
}
