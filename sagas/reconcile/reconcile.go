package reconcile

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// Booking is what the broker's history says about one booking.
type Booking struct {
	ID     string
	Region string
	Status sagas.Status
	// AppointmentID is set for a booking made elsewhere, which no hold
	// of the broker's names: its appointment is found by the MIS's id.
	AppointmentID string
}

// Counts are the broken invariants found, one per difference; all zero is
// a pass.
type Counts struct {
	Lost     int // accepted bookings that never reached a final status
	Double   int // hold keys or slots with more than one live appointment
	Orphan   int // holds still pending after their booking ended or expired
	Mismatch int // history and MIS disagree about a booked appointment
}

// OK reports whether every invariant holds.
func (c Counts) OK() bool { return c == Counts{} }

// String is "lost=… double=… orphan=… mismatch=…", as the drills print it.
func (c Counts) String() string {
	return fmt.Sprintf("lost=%d double=%d orphan=%d mismatch=%d", c.Lost, c.Double, c.Orphan, c.Mismatch)
}

func (c *Counts) add(k Kind) {
	switch k.Invariant() {
	case "lost":
		c.Lost++
	case "double":
		c.Double++
	case "orphan":
		c.Orphan++
	case "mismatch":
		c.Mismatch++
	}
}

// Report is the outcome of Compare: every difference, and their counts.
type Report struct {
	Counts      Counts
	Differences []Difference
}

// OK reports whether the history and the MIS agree.
func (r Report) OK() bool { return r.Counts.OK() }

func (r *Report) add(d Difference) {
	r.Counts.add(d.Kind)
	r.Differences = append(r.Differences, d)
}

// Compare checks the broker's bookings against every region's appointments
// (region code → everything its MIS holds, whatever the status) at now.
// A hold is an orphan when its booking is final but the hold still pending,
// or when it is still pending margin after its expiry (an MIS may take a
// moment to lapse a hold). An appointment that is fulfilled or a no-show
// counts as booked: the booking happened. Differences come in a stable
// order: lost bookings, then region by region (sorted by code) the doubles,
// orphans and booked appointments, then the confirmed bookings.
func Compare(bookings []Booking, appointments map[string][]contracts.Appointment, now time.Time, margin time.Duration) Report {
	var r Report
	known := make(map[regional]Booking, len(bookings))
	for _, b := range bookings {
		known[regional{b.Region, b.ID}] = b
		if b.AppointmentID != "" {
			known[regional{b.Region, elsewhere + b.AppointmentID}] = b
		}
		if !b.Status.Final() {
			r.add(Difference{Kind: Lost, Region: b.Region, BookingID: b.ID, Status: b.Status})
		}
	}
	for _, region := range slices.Sorted(maps.Keys(appointments)) {
		list := appointments[region]
		r.doubles(region, list)
		for _, a := range list {
			r.appointment(region, a, known, now, margin)
		}
	}
	for _, b := range bookings {
		if b.Status != sagas.StatusConfirmed {
			continue
		}
		if mine := bookedFor(appointments[b.Region], b); len(mine) != 1 {
			r.add(Difference{Kind: ConfirmedNotBooked, Region: b.Region, BookingID: b.ID, Status: b.Status, Appointments: mine})
		}
	}
	return r
}

// regional names a booking within its region: an appointment at one MIS
// belongs only to a booking made in that region.
type regional struct{ region, id string }

// elsewhere prefixes, in the known map, the MIS appointment id of a
// booking made elsewhere, so it never meets a booking id.
const elsewhere = "\x00appointment:"

// appointment adds the orphan or mismatch that a is, if any.
func (r *Report) appointment(region string, a contracts.Appointment, known map[regional]Booking, now time.Time, margin time.Duration) {
	id, mine := holdOwner(a)
	if !mine {
		if b, ok := known[regional{region, elsewhere + a.ID}]; ok {
			id = b.ID
		}
	}
	b, isKnown := known[regional{region, id}]
	d := Difference{Region: region, BookingID: id, Status: b.Status, Appointments: []contracts.Appointment{a}}
	switch {
	case a.Status == contracts.AppointmentHeld && isKnown && b.Status.Final():
		d.Kind = OrphanAfterFinal
	case a.Status == contracts.AppointmentHeld && now.After(a.HoldExpires.Add(margin)):
		d.Kind = OrphanPastExpiry
	case booked(a) && (!isKnown || b.Status != sagas.StatusConfirmed):
		d.Kind = BookedNotConfirmed
	default:
		return
	}
	r.add(d)
}

// doubles adds a difference for each hold key and each slot that more than
// one live appointment in list shares, in the order they first appear.
func (r *Report) doubles(region string, list []contracts.Appointment) {
	var keys, slots []string
	byKey, bySlot := map[string][]contracts.Appointment{}, map[string][]contracts.Appointment{}
	for _, a := range list {
		if !live(a) {
			continue
		}
		if a.HoldKey != "" { // no key names no booking: nothing to double
			keys = appendFirst(keys, byKey, a.HoldKey)
			byKey[a.HoldKey] = append(byKey[a.HoldKey], a)
		}
		slots = appendFirst(slots, bySlot, a.SlotID)
		bySlot[a.SlotID] = append(bySlot[a.SlotID], a)
	}
	for _, k := range keys {
		if as := byKey[k]; len(as) > 1 {
			id, _ := holdOwner(as[0])
			r.add(Difference{Kind: DoubleByKey, Region: region, BookingID: id, Appointments: as})
		}
	}
	for _, s := range slots {
		if as := bySlot[s]; len(as) > 1 {
			r.add(Difference{Kind: DoubleBySlot, Region: region, Appointments: as})
		}
	}
}

func appendFirst(order []string, seen map[string][]contracts.Appointment, k string) []string {
	if _, ok := seen[k]; ok {
		return order
	}
	return append(order, k)
}

// holdOwner returns the booking whose hold created a: the saga id in its
// hold key, when a booking saga's hold made that key.
func holdOwner(a contracts.Appointment) (string, bool) {
	id, step, ok := contracts.ParseStepKey(a.HoldKey)
	if !ok || !contracts.HoldStep(step) { // the booking's hold, or a move's
		return "", false
	}
	return id, true
}

// live reports an appointment that holds its slot.
func live(a contracts.Appointment) bool {
	return a.Status == contracts.AppointmentHeld || a.Status == contracts.AppointmentBooked
}

// booked reports an appointment the MIS booked, whether or not the visit
// has taken place since.
func booked(a contracts.Appointment) bool {
	switch a.Status {
	case contracts.AppointmentBooked, contracts.AppointmentFulfilled, contracts.AppointmentNoShow:
		return true
	}
	return false
}

// bookedFor returns the booked appointments in list made by b's hold, or,
// for a booking made elsewhere, its appointment.
func bookedFor(list []contracts.Appointment, b Booking) []contracts.Appointment {
	var out []contracts.Appointment
	for _, a := range list {
		owner, ok := holdOwner(a)
		if ((ok && owner == b.ID) || (!ok && b.AppointmentID != "" && a.ID == b.AppointmentID)) && booked(a) {
			out = append(out, a)
		}
	}
	return out
}
