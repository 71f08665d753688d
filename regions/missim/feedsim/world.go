package feedsim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/feed/wire"
	"github.com/fedhealth/federation/regions/missim"
)

// world is the seeded directory and schedule of one publisher. Everything
// but the slots' status is immutable after New; status is guarded by
// Server.mu.
type world struct {
	locations []wire.Location
	schedules []wire.Schedule
	slots     []*wire.Slot            // by start, then practitioner
	byFac     map[string][]*wire.Slot // Location id → its slots
	byID      map[string]*wire.Slot
}

var surnames = []string{"Иванова", "Петров", "Смирнова", "Кузнецов", "Попова", "Соколов", "Лебедева", "Козлов", "Новикова", "Морозов"}

var givenNames = []string{"Анна Сергеевна", "Дмитрий Олегович", "Елена Викторовна", "Максим Андреевич", "Ольга Павловна", "Илья Юрьевич"}

var streets = []string{"ул. Ленина", "ул. Гагарина", "пр. Победы", "ул. Садовая", "ул. Пушкина", "ул. Чехова"}

func buildWorld(cfg Config, loc *time.Location) *world {
	r := rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(cfg.Seed)^0x5bd1e995))
	w := &world{byFac: map[string][]*wire.Slot{}, byID: map[string]*wire.Slot{}}
	specs := missim.Specialties()
	for f := range cfg.Facilities {
		l := location(r, cfg.Region, f+1)
		w.locations = append(w.locations, l)
		for p := range cfg.PractitionersPerFacility {
			n := len(w.schedules) + 1
			spec := specs[(f+p)%len(specs)]
			w.schedules = append(w.schedules, wire.Schedule{
				ResourceType: wire.TypeSchedule, ID: fmt.Sprintf("SCH-%d", n),
				Actor: []wire.Reference{
					{Reference: fmt.Sprintf("PractitionerRole/PR-%d", n), Display: pick(r, surnames) + " " + pick(r, givenNames)},
					{Reference: "Location/" + l.ID, Display: l.Name},
				},
				ServiceType: []wire.CodeableConcept{{Coding: []wire.Coding{{System: misv2.SpecialtySystem, Code: spec.Code, Display: spec.Display}}}},
			})
		}
	}
	w.addSlots(cfg, loc, r)
	return w
}

func location(r *rand.Rand, region string, n int) wire.Location {
	phone := fmt.Sprintf("+7 (%03d) %03d-%02d-%02d", 100+r.IntN(900), r.IntN(1000), r.IntN(100), r.IntN(100))
	return wire.Location{
		ResourceType: wire.TypeLocation, ID: fmt.Sprintf("L-%d", n),
		Identifier: []wire.Identifier{{System: misv2.FacilityOIDSystem, Value: fmt.Sprintf("urn:oid:1.2.643.5.1.13.13.12.2.%s.%d", region, n)}},
		Name:       fmt.Sprintf("Клиника «Здоровье» № %d", n),
		Telecom:    []wire.ContactPoint{{System: "phone", Value: phone}},
		Address: &wire.Address{Line: []string{fmt.Sprintf("%s, д. %d", pick(r, streets), 1+r.IntN(120))},
			City: "Город", State: region, PostalCode: fmt.Sprintf("%06d", 100000+r.IntN(900000))},
	}
}

// addSlots gives every schedule the slots of missim.SlotStarts (working
// days, Monday to Saturday, from the local day of cfg.Now), the same as
// every simulator of this repository; ids follow start order, so they are
// stable per config.
func (w *world) addSlots(cfg Config, loc *time.Location, r *rand.Rand) {
	step := time.Duration(cfg.SlotMinutes) * time.Minute
	days := missim.Config{Region: cfg.Region, Now: cfg.Now, Days: cfg.Days, SlotMinutes: cfg.SlotMinutes,
		DayStartHour: cfg.DayStartHour, DayEndHour: cfg.DayEndHour, Quirks: cfg.Quirks}
	for _, t := range missim.SlotStarts(days, loc) {
		for i, sc := range w.schedules {
			w.addSlot(cfg, sc, w.locations[i/cfg.PractitionersPerFacility], t, t.Add(step), r.Float64() < cfg.BusyRate)
		}
	}
}

func (w *world) addSlot(cfg Config, sc wire.Schedule, l wire.Location, start, end time.Time, busy bool) {
	id := fmt.Sprintf("%s%d", cfg.SlotPrefix, len(w.slots)+1)
	status := wire.StatusFree
	if busy {
		status = wire.StatusBusy
	}
	sl := &wire.Slot{
		ResourceType: wire.TypeSlot, ID: id, Schedule: wire.Reference{Reference: "Schedule/" + sc.ID},
		Status: status, Start: start.Format(time.RFC3339), End: end.Format(time.RFC3339),
		Extension: []wire.Extension{
			{URL: wire.BookingDeepLinkExtension, ValueURL: fmt.Sprintf("https://registratura.example/%s/book?slot=%s", cfg.Region, id)},
			{URL: wire.BookingPhoneExtension, ValueString: l.Telecom[0].Value},
		},
	}
	w.slots = append(w.slots, sl)
	w.byFac[l.ID] = append(w.byFac[l.ID], sl)
	w.byID[id] = sl
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
