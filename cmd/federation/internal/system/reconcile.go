package system

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/clinic"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/reconcile"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/store"
	"go.opentelemetry.io/otel/metric"
)

// DefaultReconcileInterval is how often serve reconciles a region whose
// interval the config does not set.
const DefaultReconcileInterval = 15 * time.Minute

// DefaultReconcileLookback is how far back a scheduled pass looks: the
// bookings whose slot ended within it (a clinic records a visit or a
// no-show after the appointment, so ended ones are still compared).
const DefaultReconcileLookback = 7 * 24 * time.Hour

// ReconcileOptions schedule serve's reconciliation passes.
type ReconcileOptions struct {
	// Interval between two passes of a region: 0 means
	// DefaultReconcileInterval, negative turns the scheduled passes off.
	Interval time.Duration
	// Regions override Interval by region code; 0 turns that region's off.
	Regions map[string]time.Duration
	// Lookback: 0 means DefaultReconcileLookback.
	Lookback time.Duration
}

// every is the interval of region, 0 when its passes are off.
func (o ReconcileOptions) every(region string) time.Duration {
	return scheduleEvery(o.Interval, o.Regions, DefaultReconcileInterval, region)
}

// scheduleEvery is the period of a region's background work (passes,
// probes) from its options: the region's own override (0 or negative:
// off), else interval (0: dflt, negative: off for every region).
func scheduleEvery(interval time.Duration, regions map[string]time.Duration, dflt time.Duration, region string) time.Duration {
	if d, ok := regions[region]; ok {
		return max(d, 0)
	}
	switch {
	case interval < 0:
		return 0
	case interval == 0:
		return dflt
	}
	return interval
}

func (o ReconcileOptions) lookback() time.Duration {
	if o.Lookback <= 0 {
		return DefaultReconcileLookback
	}
	return o.Lookback
}

// Readable reports whether reconciliation can read a region of kind k:
// fhir and soap by appointment id, jsonrpc by patient (ReadsByPatient). A
// feed region's truth is its operator's, already in the history.
func Readable(k contracts.RegionKind) bool {
	return k == contracts.RegionFHIR || k == contracts.RegionSOAP || ReadsByPatient(k)
}

// ReadsByPatient reports a kind whose MIS reads appointments only by
// patient: its confirmed bookings keep their sealed identifiers until the
// appointment's end plus reconcile.PatientGrace.
func ReadsByPatient(k contracts.RegionKind) bool { return k == contracts.RegionJSONRPC }

// ListsByPeriod reports a kind whose MIS lists its appointments by period
// with their patients (fhir: GET /Appointment?date=; soap:
// GetAppointmentsByPeriod), so that a pass imports those made elsewhere.
func ListsByPeriod(k contracts.RegionKind) bool {
	return k == contracts.RegionFHIR || k == contracts.RegionSOAP
}

// keepsPatient is the booking saga's KeepPatient for reg.
func keepsPatient(reg *regions.Registry) func(string) bool {
	by := map[string]bool{}
	for _, r := range reg.Regions() {
		by[r.Code] = ReadsByPatient(r.Kind)
	}
	return func(region string) bool { return by[region] }
}

func newReconcilePass(st *store.DB, dir contracts.Directory, pub *clinic.Publisher, opts Options, holder string, mp metric.MeterProvider) (*reconcile.Pass, error) {
	m, err := reconcile.NewMetrics(mp)
	if err != nil {
		return nil, err
	}
	sealer, err := auth.NewSealer(opts.SealKey)
	if err != nil {
		return nil, err
	}
	// The same keys as the portal's and the callbacks': an appointment made
	// elsewhere is imported only when they match a portal booking's.
	pseudonyms, err := auth.NewPseudonymizer(opts.PseudonymKey)
	if err != nil {
		return nil, err
	}
	return &reconcile.Pass{Store: st, Directory: dir, Publisher: pub, Sealer: sealer, PatientKeys: pseudonyms.PatientKeys,
		Holder: holder, Metrics: m}, nil
}

// patientSweepEvery is how often serve erases the identifiers kept past
// their appointment's end and grace.
const patientSweepEvery = time.Minute

// sweepPatients erases, until ctx ends, the sealed identifiers that
// bookings of regions read by patient keep past their appointment's end
// plus reconcile.PatientGrace.
func (s *System) sweepPatients(ctx context.Context) error {
	for {
		n, err := s.Store.ErasePatientsPast(ctx, time.Now().Add(-reconcile.PatientGrace))
		switch {
		case err != nil && ctx.Err() == nil:
			s.logger.Warn("reconcile: erasing kept patient identifiers failed; retried", "err", err)
		case n > 0:
			s.logger.Info("reconcile: kept patient identifiers erased", "bookings", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(patientSweepEvery):
		}
	}
}

// startReconciling runs each readable region's scheduled passes until ctx
// ends. A pass another instance runs is skipped (the lease); the first
// pass waits one interval plus a random part of it, so instances started
// together do not all try at once.
func (s *System) startReconciling(ctx context.Context, opts Options, mp metric.MeterProvider) error {
	pass, err := newReconcilePass(s.Store, s.Registry, s.Clinic, opts, instanceName(), mp)
	if err != nil {
		return err
	}
	s.reconcile = pass
	s.goRun(func() error { return s.sweepPatients(ctx) })
	for _, r := range s.Registry.Regions() {
		every := opts.Reconcile.every(r.Code)
		if every == 0 || !Readable(r.Kind) {
			continue
		}
		s.goRun(func() error {
			wait := every + rand.N(every/4+1)
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(wait):
				}
				wait = every
				s.reconcileOnce(ctx, r.Code, reconcile.Options{Since: time.Now().Add(-opts.Reconcile.lookback())})
			}
		})
	}
	return nil
}

// reconcileOnce runs one scheduled pass of region and logs its findings.
func (s *System) reconcileOnce(ctx context.Context, region string, o reconcile.Options) {
	res, err := s.reconcile.Run(ctx, region, o, func(f reconcile.Finding) error {
		s.logger.Info("reconcile: difference", "region", f.Region, "kind", f.Kind, "booking", f.BookingID,
			"mis_appointment", f.AppointmentID, "broker_status", f.BrokerStatus, "mis_status", f.MISStatus, "repaired", f.Repaired)
		return nil
	})
	switch {
	case errors.Is(err, reconcile.ErrPassRunning):
		s.logger.Debug("reconcile: another instance runs the pass", "region", region)
	case err != nil && ctx.Err() == nil:
		s.logger.Warn("reconcile: pass ended early", "region", region, "err", err, "checked", res.Checked, "found", res.Found)
	case err == nil:
		s.logger.Info("reconcile: pass", "region", region, "checked", res.Checked, "found", res.Found, "repaired", res.Repaired)
	}
}

// Reconcile runs one pass of region in this running system, as the
// scheduled passes do (tests and drills call it to settle at once).
func (s *System) Reconcile(ctx context.Context, region string, o reconcile.Options, emit func(reconcile.Finding) error) (sagas.ReconcilePass, error) {
	if err := readable(s.Registry, region); err != nil {
		return sagas.ReconcilePass{}, err
	}
	return s.reconcile.Run(ctx, region, o, emit)
}

// ReconcileRegion runs one pass of region against the database and MIS
// that opts name, without starting the broker: "federation reconcile". Its
// repairs go to the shared outbox, which the running broker's relay
// publishes. The store's schema must be current (it never migrates here).
func ReconcileRegion(ctx context.Context, opts Options, region string, o reconcile.Options, emit func(reconcile.Finding) error) (sagas.ReconcilePass, error) {
	opts.setDefaults()
	db, err := sqldb.Open(DatabaseConfig(opts))
	if err != nil {
		return sagas.ReconcilePass{}, err
	}
	defer db.Close()
	st, err := store.New(ctx, db, store.Options{SkipMigrations: true, Logger: opts.Logger})
	if err != nil {
		return sagas.ReconcilePass{}, err
	}
	defer st.Close()
	steps, err := ledger.New(ctx, db, true, nil, opts.Logger)
	if err != nil {
		return sagas.ReconcilePass{}, err
	}
	reg, err := regions.NewRegistry(opts.Regions, opts.Logger, regions.WithLedger(steps))
	if err != nil {
		return sagas.ReconcilePass{}, err
	}
	defer reg.Close()
	if err := readable(reg, region); err != nil {
		return sagas.ReconcilePass{}, err
	}
	pass, err := newReconcilePass(st, reg, clinic.NewPublisher(st), opts, "reconcile-command/"+instanceName(), nil)
	if err != nil {
		return sagas.ReconcilePass{}, err
	}
	return pass.Run(ctx, region, o, emit)
}

// readable says why region cannot be reconciled, if it cannot.
func readable(reg *regions.Registry, region string) error {
	for _, r := range reg.Regions() {
		if r.Code != region {
			continue
		}
		if !Readable(r.Kind) {
			return fmt.Errorf("region %s is of kind %s, which reconciliation cannot read by appointment id: %w", region, r.Kind, contracts.ErrUnsupported)
		}
		return nil
	}
	return fmt.Errorf("region %s is not in the config: %w", region, contracts.ErrNotFound)
}

// elsewhereImporter is the booking service's ElsewhereImporter: it asks
// every region that reads only by patient (ReadsByPatient) about the
// citizen, through the reconciliation pass, so that what the clinic booked
// for them through another channel joins their history.
type elsewhereImporter struct {
	pass    *reconcile.Pass
	regions []string
}

// newElsewhereImporter returns nil when no region reads only by patient.
func newElsewhereImporter(pass *reconcile.Pass, reg *regions.Registry) bookings.ElsewhereImporter {
	var codes []string
	for _, r := range reg.Regions() {
		if ReadsByPatient(r.Kind) {
			codes = append(codes, r.Code)
		}
	}
	if pass == nil || len(codes) == 0 {
		return nil
	}
	return elsewhereImporter{pass: pass, regions: codes}
}

func (e elsewhereImporter) ImportElsewhere(ctx context.Context, who contracts.Patient) error {
	var errs []error
	for _, code := range e.regions {
		if _, err := e.pass.ImportPatient(ctx, code, who); err != nil {
			errs = append(errs, fmt.Errorf("region %s: %w", code, err))
		}
	}
	return errors.Join(errs...)
}
