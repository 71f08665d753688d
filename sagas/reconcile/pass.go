package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// Store is what a Pass needs of the broker's store (store.DB implements it,
// on SQLite and PostgreSQL).
type Store interface {
	// ReconcileBookings pages, by id, through the region's bookings that an
	// MIS appointment stands for and whose slot ends at or after from.
	ReconcileBookings(ctx context.Context, region string, from time.Time, after string, limit int) ([]*sagas.Booking, error)
	// TakeReconcileLease makes holder the only one reconciling region until
	// now+ttl, unless another holder's lease still runs; it reports
	// whether holder has it.
	TakeReconcileLease(ctx context.Context, region, holder string, now time.Time, ttl time.Duration) (bool, error)
	// FinishReconcilePass records the region's last pass and frees the
	// lease holder has.
	FinishReconcilePass(ctx context.Context, holder string, p sagas.ReconcilePass) error
	// ByAppointment returns the id of the region's booking of an MIS
	// appointment, or ErrNotFound.
	ByAppointment(ctx context.Context, region, appointmentID string) (string, error)
	// HoldsPortalPatientKey reports whether a portal booking is indexed by
	// any of keys.
	HoldsPortalPatientKey(ctx context.Context, keys []string) (bool, error)
}

// Publisher publishes the clinic events that repair differences
// (clinic.Publisher, through the outbox).
type Publisher interface {
	Publish(ctx context.Context, ev contracts.ClinicEvent) error
}

// ErrPassRunning: another pass of the region holds its lease.
var ErrPassRunning = errors.New("reconcile: another pass of this region is running")

// PatientGrace is how long after an appointment's end a booking of a region
// read only by patient keeps the sealed identifiers for reconciliation
// (a clinic records the visit, or cancels late, within it).
const PatientGrace = 24 * time.Hour

// Lease is how long a pass holds its region's lease without renewing it;
// it renews it every third of that, so only a pass that died lets it
// lapse.
const Lease = 5 * time.Minute

// ImportAhead is how far past now a pass lists an MIS's appointments to
// import those made elsewhere: the farthest a region books ahead.
const ImportAhead = 90 * 24 * time.Hour

// page is how many bookings a pass reads (and then compares) at a time.
const page = 200

// Pass compares the broker's history with what a region's MIS holds,
// booking by booking, and repairs what it can by publishing the clinic
// event the difference implies (docs/history.md, "Reconciliation"). The
// MIS is the truth about an appointment's state; the broker about the
// citizen's intent: a booking whose saga runs is left alone, and nothing
// the citizen asked for is undone. It is safe for concurrent use; one pass
// at a time runs per region across instances (the store's lease).
type Pass struct {
	Store     Store
	Directory contracts.Directory
	// Publisher repairs; a dry run publishes nothing.
	Publisher Publisher
	// Sealer opens the identifiers that bookings of a region read only by
	// patient keep for reconciliation; nil leaves such regions unread.
	Sealer sagas.Sealer
	// PatientKeys derives the patient keys of the identifiers an MIS
	// returns (auth.Pseudonymizer.PatientKeys); the identifiers go no
	// further. nil imports no appointment made elsewhere.
	PatientKeys func(snils, oms string) []string
	// Holder names this instance or tool in the lease.
	Holder  string
	Metrics *Metrics // nil records nothing
	Now     func() time.Time
}

// Options select one run of a pass.
type Options struct {
	// Since: only bookings whose slot ends at or after it are compared.
	Since time.Time
	// DryRun reports the differences and repairs none.
	DryRun bool
}

// Finding is one difference a pass found, as "federation reconcile" prints
// it: no patient identifier, no name.
type Finding struct {
	Kind          Kind                        `json:"kind"`
	Region        string                      `json:"region"`
	BookingID     string                      `json:"booking_id"`
	AppointmentID string                      `json:"mis_appointment_id"`
	BrokerStatus  sagas.Status                `json:"broker_status"`
	MISStatus     contracts.AppointmentStatus `json:"mis_status,omitempty"` // empty: the MIS has no such appointment
	// Repair is the clinic change that settles it, when one does; Repaired
	// says it was published (false in a dry run).
	Repair   contracts.ClinicChange `json:"repair,omitempty"`
	Repaired bool                   `json:"repaired"`
	// Note says why nothing is repaired, or what the repair waits for.
	Note string `json:"note,omitempty"`

	slot contracts.Slot // a move's new slot, for its repair
}

// Run reconciles region once: it takes the region's lease (ErrPassRunning
// when another pass holds it), compares every booking since o.Since with
// its appointment at the MIS, calls emit (when not nil) with each
// difference, and records
// the pass. A kind that cannot read appointments by id (ErrUnsupported) or
// a region that is unavailable ends the pass early, with the error, after
// what it found so far was emitted and recorded.
func (p *Pass) Run(ctx context.Context, region string, o Options, emit func(Finding) error) (sagas.ReconcilePass, error) {
	now := p.now()
	res := sagas.ReconcilePass{Region: region, StartedAt: now}
	got, err := p.Store.TakeReconcileLease(ctx, region, p.Holder, now, Lease)
	if err != nil {
		return res, err
	}
	if !got {
		return res, fmt.Errorf("region %s: %w", region, ErrPassRunning)
	}
	err = p.run(ctx, region, o, emit, &res)
	res.FinishedAt = p.now()
	if err != nil {
		res.Error = err.Error()
	}
	p.Metrics.pass(ctx, region, err)
	// Recorded also when ctx ended: the pass's findings were emitted.
	if ferr := p.Store.FinishReconcilePass(context.WithoutCancel(ctx), p.Holder, res); ferr != nil {
		return res, errors.Join(err, ferr)
	}
	return res, err
}

func (p *Pass) run(ctx context.Context, region string, o Options, emit func(Finding) error, res *sagas.ReconcilePass) error {
	mis, err := p.Directory.MIS(region)
	if err != nil {
		return err
	}
	reader := p.reader(mis)
	if reader == nil {
		return fmt.Errorf("region %s: its MIS cannot read appointments by id: %w", region, contracts.ErrUnsupported)
	}
	if err := p.compareAll(ctx, region, mis, reader, o, emit, res); err != nil {
		return err
	}
	return p.importElsewhere(ctx, region, mis, o, emit, res)
}

// compareAll compares every booking of region since o.Since with its
// appointment.
func (p *Pass) compareAll(ctx context.Context, region string, mis contracts.MIS, reader bookingReader, o Options, emit func(Finding) error, res *sagas.ReconcilePass) error {
	renewed := p.now()
	for after := ""; ; {
		bs, err := p.Store.ReconcileBookings(ctx, region, o.Since, after, page)
		if err != nil {
			return err
		}
		for _, b := range bs {
			// Renewed well before it lapses, however slow the MIS: a
			// lapsed lease lets a second pass start beside this one.
			if p.now().Sub(renewed) > Lease/3 {
				if err := p.renew(ctx, region); err != nil {
					return err
				}
				renewed = p.now()
			}
			if !b.Status.Final() || b.Step != sagas.StepDone {
				continue // a running saga settles the booking itself
			}
			f, err := p.compare(ctx, mis, reader, b)
			if errors.Is(err, errPatientErased) {
				continue // read only by patient, whose identifiers are gone
			}
			if err != nil {
				return err
			}
			res.Checked++
			if f == nil {
				continue
			}
			if err := p.settle(ctx, b, f, o.DryRun); err != nil {
				return err
			}
			if err := p.found(ctx, *f, emit, res); err != nil {
				return err
			}
		}
		if len(bs) < page {
			return nil
		}
		after = bs[len(bs)-1].ID
	}
}

// found counts f and emits it.
func (p *Pass) found(ctx context.Context, f Finding, emit func(Finding) error, res *sagas.ReconcilePass) error {
	res.Found++
	if f.Repaired {
		res.Repaired++
	}
	p.Metrics.found(ctx, f)
	if emit == nil {
		return nil
	}
	return emit(f)
}

// importElsewhere lists region's appointments from o.Since to ImportAhead
// past now, where its MIS can (contracts.PeriodAppointmentReader), and
// imports each booked one the history has not, made by no saga of the
// broker's, whose patient keys match a portal booking's: never the whole
// MIS. The import is the booked_elsewhere clinic event (origin
// reconciliation); the Applier creates the booking.
func (p *Pass) importElsewhere(ctx context.Context, region string, mis contracts.MIS, o Options, emit func(Finding) error, res *sagas.ReconcilePass) error {
	lister, ok := mis.(contracts.PeriodAppointmentReader)
	if !ok || p.PatientKeys == nil {
		return nil
	}
	list, err := lister.PeriodAppointments(ctx, o.Since, p.now().Add(ImportAhead))
	switch k := contracts.KindOf(err); {
	case err == nil:
	case k == contracts.KindUnsupported:
		return nil // the breaker's answer for a kind that cannot list by period
	case !k.Answered():
		return err
	default:
		// An MIS that refuses the period search (it is optional) is
		// reported, once per pass; the comparison above stands.
		f := Finding{Kind: Unreadable, Region: region, Note: "the MIS cannot list appointments by period, so none made elsewhere is imported: " + err.Error()}
		return p.found(ctx, f, emit, res)
	}
	for _, a := range list {
		if _, mine := holdOwner(a.Appointment); mine || a.Status != contracts.AppointmentBooked {
			continue // cheap first: importOne would skip it
		}
		keys := p.PatientKeys(a.Patient.SNILS, a.Patient.OMS)
		a.Patient = contracts.Patient{} // the keys stand for it from here on
		known, err := p.Store.HoldsPortalPatientKey(ctx, keys)
		if err != nil {
			return err
		}
		if !known {
			continue // a patient the portal does not know: not the broker's business
		}
		f, err := p.importOne(ctx, region, mis, a, keys, o.DryRun)
		if err != nil {
			return err
		}
		if f == nil {
			continue // nothing to import: the history has it
		}
		res.Checked++
		if err := p.found(ctx, *f, emit, res); err != nil {
			return err
		}
	}
	return nil
}

// ImportPatient imports the booked appointments who has in region that
// the history has not and no saga of the broker's made, for a region
// whose MIS reads only by patient (contracts.PatientAppointmentReader:
// the jsonrpc kind, which cannot list by period). The caller is the
// citizen's own reading of their history (broker/bookings), with their
// identifiers: the MIS is asked about them and nobody else, and what it
// answers becomes patient keys at once. It returns how many were
// imported. Unlike a pass it takes no lease: two imports of one
// appointment publish the same event id, which the Applier applies once.
func (p *Pass) ImportPatient(ctx context.Context, region string, who contracts.Patient) (int, error) {
	if p.PatientKeys == nil || p.Publisher == nil {
		return 0, nil
	}
	mis, err := p.Directory.MIS(region)
	if err != nil {
		return 0, err
	}
	reader, ok := mis.(contracts.PatientAppointmentReader)
	if !ok {
		return 0, nil
	}
	list, err := reader.PatientAppointments(ctx, who)
	if err != nil {
		if contracts.KindOf(err) == contracts.KindUnsupported {
			return 0, nil // the breaker's answer for a kind that cannot read by patient
		}
		return 0, err
	}
	keys := p.PatientKeys(who.SNILS, who.OMS)
	imported := 0
	for _, a := range list {
		a.Patient = contracts.Patient{}
		f, err := p.importOne(ctx, region, mis, a, keys, false)
		if err != nil {
			return imported, err
		}
		if f != nil {
			imported++
			if p.Metrics != nil {
				p.Metrics.found(ctx, *f)
			}
		}
	}
	return imported, nil
}

// importOne imports a, an appointment of the patient whose keys are keys,
// when it is booked, no saga of the broker's made it and the history has
// it not: the booked_elsewhere clinic event (origin reconciliation), from
// which the Applier creates the booking. It returns the finding, nil when
// there is nothing to import. A dry run publishes nothing.
func (p *Pass) importOne(ctx context.Context, region string, mis contracts.MIS, a contracts.PeriodAppointment, keys []string, dryRun bool) (*Finding, error) {
	if a.Status != contracts.AppointmentBooked {
		return nil, nil // only a live booking is imported; an ended one tells the citizen nothing
	}
	if _, mine := holdOwner(a.Appointment); mine {
		return nil, nil // a booking saga's own: compared by the pass, or its saga settles it
	}
	switch _, err := p.Store.ByAppointment(ctx, region, a.ID); {
	case err == nil:
		return nil, nil // the history has it
	case !errors.Is(err, contracts.ErrNotFound):
		return nil, err
	}
	if a.Specialty == "" && a.SlotID != "" {
		// An MIS that lists no description (the jsonrpc kind) still
		// describes the slot; best effort: a walk-in outside the schedule
		// is imported with its times only.
		if sl, err := mis.ReadSlot(ctx, a.SlotID); err == nil {
			a.Specialty, a.SpecialtyName = sl.Specialty.Code, sl.Specialty.Display
			a.PractitionerName, a.FacilityName = sl.Practitioner.Name, sl.Facility.Name
		}
	}
	f := &Finding{Kind: BookedElsewhere, Region: region, AppointmentID: a.ID, MISStatus: a.Status, Repair: contracts.ClinicBookedElsewhere}
	if dryRun || p.Publisher == nil {
		return f, nil
	}
	ev := contracts.ClinicEvent{
		Version: contracts.MessageVersion,
		// One id per appointment: passes that find it before the
		// Applier created its booking publish one import.
		EventID: fmt.Sprintf("reconciliation:%s:%s:%s", region, a.ID, contracts.ClinicBookedElsewhere),
		Region:  region, AppointmentID: a.ID, Change: contracts.ClinicBookedElsewhere,
		At: p.now(), Start: a.Start, End: a.End,
		Channel: channel(a.Channel), PatientKeys: keys,
		Specialty: a.Specialty, SpecialtyName: a.SpecialtyName, PractitionerName: a.PractitionerName, FacilityName: a.FacilityName,
		Origin: contracts.ClinicOriginReconciliation, CorrelationID: "reconciliation:" + region + ":" + a.ID,
	}
	if err := p.Publisher.Publish(ctx, ev); err != nil {
		return nil, fmt.Errorf("reconcile: import appointment %s: %w", a.ID, err)
	}
	f.Repaired = true
	return f, nil
}

// renew extends this pass's lease of region, or says it was lost.
func (p *Pass) renew(ctx context.Context, region string) error {
	ok, err := p.Store.TakeReconcileLease(ctx, region, p.Holder, p.now(), Lease)
	switch {
	case err != nil:
		return err
	case !ok:
		return fmt.Errorf("region %s: the lease lapsed and another pass took it: %w", region, ErrPassRunning)
	}
	return nil
}

// compare reads b's appointment and returns the difference, or nil when
// the two agree. An error ends the pass: the kind cannot read, or the
// region is unavailable.
func (p *Pass) compare(ctx context.Context, mis contracts.MIS, reader bookingReader, b *sagas.Booking) (*Finding, error) {
	a, err := reader(ctx, b)
	f := &Finding{Region: b.Region, BookingID: b.ID, AppointmentID: b.AppointmentID, BrokerStatus: b.Status, MISStatus: a.Status}
	switch {
	case errors.Is(err, contracts.ErrNotFound):
		f.MISStatus = ""
		if b.Status != sagas.StatusConfirmed {
			return nil, nil // ended, and no appointment left: they agree
		}
		f.Kind, f.Note = ConfirmedNotBooked, "the MIS has no such appointment; an operator looks into it"
		return f, nil
	case err != nil && (contracts.KindOf(err) == contracts.KindUnsupported || !contracts.KindOf(err).Answered()):
		return nil, err
	case err != nil:
		f.Kind, f.Note = Unreadable, err.Error()
		return f, nil
	}
	return p.judge(ctx, mis, b, a, f)
}

// judge decides what the MIS's appointment a says about booking b (see
// docs/history.md for the table).
func (p *Pass) judge(ctx context.Context, mis contracts.MIS, b *sagas.Booking, a contracts.Appointment, f *Finding) (*Finding, error) {
	switch b.Status {
	case sagas.StatusConfirmed:
		switch a.Status {
		case contracts.AppointmentBooked:
			return p.moved(ctx, mis, b, a, f)
		case contracts.AppointmentCancelled:
			f.Kind, f.Repair = CancelledAtMIS, contracts.ClinicCancelled
		case contracts.AppointmentFulfilled:
			f.Kind, f.Repair = VisitedAtMIS, contracts.ClinicVisited
		case contracts.AppointmentNoShow:
			f.Kind, f.Repair = NoShowAtMIS, contracts.ClinicNoShow
		default:
			f.Kind, f.Note = ConfirmedNotBooked, "the MIS holds it only as a hold"
		}
	case sagas.StatusVisited, sagas.StatusNoShow:
		// An MIS "booked" agrees: many record no visits at all, and the
		// clinic's own report of the visit (or no-show) stands.
		switch {
		case a.Status == contracts.AppointmentNoShow && b.Status == sagas.StatusVisited:
			f.Kind, f.Repair = NoShowAtMIS, contracts.ClinicNoShow
		case a.Status == contracts.AppointmentFulfilled && b.Status == sagas.StatusNoShow:
			f.Kind, f.Repair = VisitedAtMIS, contracts.ClinicVisited
		case a.Status == contracts.AppointmentCancelled:
			f.Kind, f.Note = EndedDifferently, "a recorded visit or no-show is never cancelled afterwards"
		default:
			return nil, nil
		}
	default: // cancelled, rejected, failed
		if !booked(a) {
			return nil, nil
		}
		f.Kind, f.Note = BookedNotConfirmed, "an ended booking is never resurrected; the appointment is cancelled at the MIS by an operator"
	}
	if (f.Repair == contracts.ClinicVisited || f.Repair == contracts.ClinicNoShow) && p.now().Before(b.Slot.Start) {
		f.Repair, f.Note = "", "the MIS recorded it before the appointment's start"
	}
	return f, nil
}

// moved reports a booked appointment now on another slot at another time.
// A slot id alone is not enough (an MIS may renumber): the times decide,
// read from the slot.
func (p *Pass) moved(ctx context.Context, mis contracts.MIS, b *sagas.Booking, a contracts.Appointment, f *Finding) (*Finding, error) {
	if a.SlotID == "" || a.SlotID == b.Slot.MISSlotID {
		return nil, nil
	}
	s, err := mis.ReadSlot(ctx, a.SlotID)
	if err != nil {
		if !contracts.KindOf(err).Answered() {
			return nil, err
		}
		if b.Slot.MISSlotID == "" {
			// A booking made elsewhere knows only its times: a slot that
			// cannot be read (a walk-in's) says nothing of a move.
			return nil, nil
		}
		f.Kind, f.Note = MovedAtMIS, "the new slot cannot be read: "+err.Error()
		return f, nil
	}
	if s.Start.Equal(b.Slot.Start) && s.End.Equal(b.Slot.End) {
		return nil, nil // the booking already shows that time: moved before
	}
	f.Kind, f.Repair = MovedAtMIS, contracts.ClinicMoved
	f.slot = s
	return f, nil
}

// settle publishes f's repair, unless a dry run.
func (p *Pass) settle(ctx context.Context, b *sagas.Booking, f *Finding, dryRun bool) error {
	if f.Repair == "" || dryRun || p.Publisher == nil {
		return nil
	}
	ev := contracts.ClinicEvent{
		Version: contracts.MessageVersion,
		// One id per booking version and change: passes that find the same
		// difference before it is applied publish one change, and a later
		// correction (a visit after a no-show) is a new one.
		EventID: fmt.Sprintf("reconciliation:%s:%s:%s:%d", b.Region, b.AppointmentID, f.Repair, b.Version),
		Region:  b.Region, AppointmentID: b.AppointmentID, Change: f.Repair,
		// The MIS says not when it changed the appointment: now is the
		// earliest the broker knows it.
		At:     p.now(),
		Origin: contracts.ClinicOriginReconciliation, CorrelationID: b.CorrelationID,
	}
	switch f.Repair {
	case contracts.ClinicCancelled:
		ev.ReasonCode = "other" // the MIS's read gives no reason
	case contracts.ClinicMoved:
		ev.Start, ev.End = f.slot.Start, f.slot.End
	}
	if err := p.Publisher.Publish(ctx, ev); err != nil {
		return fmt.Errorf("reconcile: repair booking %s: %w", b.ID, err)
	}
	f.Repaired = true
	return nil
}

// bookingReader reads the appointment a booking stands for.
type bookingReader func(ctx context.Context, b *sagas.Booking) (contracts.Appointment, error)

// errPatientErased: the booking's region reads only by patient and the
// booking no longer keeps the patient's identifiers.
var errPatientErased = errors.New("reconcile: the patient's identifiers are erased")

// reader picks how mis reads a booking's appointment: by its id, or, for
// an MIS that reads only by patient (told by ErrUnsupported on the read by
// id), among the appointments of the patient the booking keeps sealed,
// each patient read once per pass. nil when mis can do neither.
func (p *Pass) reader(mis contracts.MIS) bookingReader {
	byID, _ := mis.(contracts.AppointmentReader)
	byPatient, _ := mis.(contracts.PatientAppointmentReader)
	if byID == nil && (byPatient == nil || p.Sealer == nil) {
		return nil
	}
	seen := map[contracts.Patient][]contracts.PeriodAppointment{}
	return func(ctx context.Context, b *sagas.Booking) (contracts.Appointment, error) {
		if byID != nil {
			a, err := byID.ReadAppointment(ctx, b.AppointmentID)
			if contracts.KindOf(err) != contracts.KindUnsupported || byPatient == nil || p.Sealer == nil {
				return a, err
			}
		}
		if len(b.PatientSealed) == 0 {
			return contracts.Appointment{}, errPatientErased
		}
		who, err := sagas.OpenPatient(p.Sealer, b.ID, b.PatientSealed)
		if err != nil {
			// A seal that no longer opens (its key retired) is as good as erased.
			return contracts.Appointment{}, errPatientErased
		}
		list, ok := seen[who]
		if !ok {
			if list, err = byPatient.PatientAppointments(ctx, who); err != nil {
				return contracts.Appointment{}, err
			}
			seen[who] = list
		}
		for _, a := range list {
			if a.ID == b.AppointmentID {
				return a.Appointment, nil
			}
		}
		return contracts.Appointment{}, fmt.Errorf("appointment %s is not among its patient's: %w", b.AppointmentID, contracts.ErrNotFound)
	}
}

func (p *Pass) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

// channel is the booked_elsewhere channel of an appointment listed with c:
// an MIS that names none (or one the contract lacks) made it through some
// other system, which the contract calls "other_portal".
func channel(c string) string {
	if slices.Contains(contracts.ClinicChannels, c) {
		return c
	}
	return "other_portal"
}
