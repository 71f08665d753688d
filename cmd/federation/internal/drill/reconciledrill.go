package drill

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
	"github.com/fedhealth/federation/sagas/clinic"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/reconcile"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/store"
)

// changedPerRegion is how many confirmed bookings per readable region the
// reconcile drill has another client cancel at the MIS.
const changedPerRegion = 3

// reconcileDrill books under load, then changes appointments behind the
// broker's back: in every region whose kind reconciliation reads (fhir
// and soap by appointment id, jsonrpc by patient), another client (its own registry and step ledger, like a call
// centre's system) cancels a few confirmed bookings' appointments through
// the MIS's own API. The comparison then counts each as a mismatch
// (reported as mismatch_before=); one "federation reconcile --region" per region,
// run as an operator runs it against the broker's config, must repair
// them all, so that the common settle ends with mismatch=0.
//
// The status callbacks are dropped meanwhile (callback_drop_rate 1 at
// every simulator that sends them): the clinics also cancel a booking per
// such region at the clinic (the admin's ChangeStatus), and book through
// another channel (BookElsewhere, a call centre's walk-in) for a patient
// who has a portal booking, in every region whose MIS lists appointments
// by period; the pass imports those (imported=, counted once they are in
// the history).
func reconcileDrill(ctx context.Context, e *env, r *Result) error {
	e.load.phase(ctx, "baseline", e.codes, e.cfg.Rate, e.t.fault)
	e.load.wait(e.t.deadline + 30*time.Second)
	other, closeOther, err := e.otherClient(ctx)
	if err != nil {
		return err
	}
	defer closeOther()
	e.dropCallbacks()
	changed, err := e.cancelBehindTheBrokersBack(ctx, other)
	if err != nil {
		return err
	}
	made, err := e.bookElsewhere()
	if err != nil {
		return err
	}
	before, _ := e.check(ctx)
	r.extra("changed", len(changed))
	r.extra("elsewhere", len(made))
	r.extra("mismatch_before", before.Counts.Mismatch)
	repaired := 0
	for _, code := range e.readableRegions() {
		n, err := e.reconcileCommand(ctx, code)
		if err != nil {
			return err
		}
		repaired += n
	}
	r.extra("repaired", repaired)
	imported, err := e.awaitImported(ctx, made)
	if err != nil {
		return err
	}
	r.extra("imported", imported)
	// The broker applies the repairs from Kafka; the settle reads the
	// bookings' statuses again, as the load's records still say confirmed.
	until := time.Now().Add(e.t.settle)
	for _, b := range changed {
		for time.Now().Before(until) && ctx.Err() == nil {
			sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			s, err := e.client.status(sctx, b, 0)
			cancel()
			if err == nil && s != string(contracts.AppointmentBooked) && s != "confirmed" {
				b.Status = s
				break
			}
			sleep(ctx, 200*time.Millisecond)
		}
	}
	return nil
}

// dropCallbacks makes every simulator that sends status callbacks drop
// them all, so only reconciliation can tell the broker what changed.
func (e *env) dropCallbacks() {
	for _, s := range e.sims {
		if s.SendsCallbacks() {
			e.fault(s.Region.Code, missim.Faults{CallbackDropRate: 1})
		}
	}
}

// bookElsewhere books, in every region whose MIS lists appointments by
// period, a call centre's walk-in for the patient of one of the load's
// bookings there (the SNILS the drill's tokens carry), and returns the
// appointments by region.
func (e *env) bookElsewhere() (map[string]string, error) {
	made := map[string]string{}
	start := time.Now().Add(96 * time.Hour).Truncate(time.Minute)
	for _, b := range e.load.bookings() {
		s := e.sim(b.Region)
		ca, ok := s.Admin.(missim.ClinicAdmin)
		if _, done := made[b.Region]; done || !ok || !system.ListsByPeriod(s.Kind()) {
			continue
		}
		c, err := ca.BookElsewhere(missim.ElsewhereRequest{Start: start, End: start.Add(20 * time.Minute),
			SNILS: auth.SyntheticSNILS(b.Citizen), Channel: "call_centre"})
		if err != nil {
			return nil, fmt.Errorf("drill: book elsewhere in region %s: %w", b.Region, err)
		}
		made[b.Region] = c.AppointmentID
	}
	return made, nil
}

// awaitImported waits (up to the settle time) until the broker's history
// has a booking of each appointment made elsewhere, adds those to what
// the settle compares, and returns how many it found.
func (e *env) awaitImported(ctx context.Context, made map[string]string) (int, error) {
	st, err := store.New(ctx, e.ledger.db, store.Options{SkipMigrations: true}) // read only: the broker migrates
	if err != nil {
		return 0, err
	}
	defer st.Close()
	until := time.Now().Add(e.t.settle)
	for region, appt := range made {
		for time.Now().Before(until) && ctx.Err() == nil {
			b, err := st.Get(ctx, clinic.ElsewhereID(region, appt))
			if err == nil {
				e.imported = append(e.imported, reconcile.Booking{ID: b.ID, Region: region, Status: b.Status, AppointmentID: appt})
				break
			}
			if !errors.Is(err, contracts.ErrNotFound) {
				return len(e.imported), err
			}
			sleep(ctx, 200*time.Millisecond)
		}
	}
	return len(e.imported), nil
}

// readableRegions are the drill's regions whose kind reconciliation reads.
func (e *env) readableRegions() []string {
	var out []string
	for _, s := range e.sims {
		if system.Readable(s.Kind()) {
			out = append(out, s.Region.Code)
		}
	}
	return out
}

// otherClient is a registry of the readable regions' simulators with a
// step ledger of its own: another system than the broker.
func (e *env) otherClient(ctx context.Context) (*regions.Registry, func(), error) {
	db, err := sqldb.Open(sqldb.Config{Path: filepath.Join(e.dir, "other-client.db")})
	if err != nil {
		return nil, nil, err
	}
	steps, err := ledger.New(ctx, db, false, nil, nil)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	var sims []*fleet.Simulator
	for _, code := range e.readableRegions() {
		sims = append(sims, e.sim(code))
	}
	reg, err := regions.NewRegistry(fleet.RegistryConfigs(sims), nil, regions.WithLedger(steps))
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return reg, func() { reg.Close(); db.Close() }, nil
}

// cancelBehindTheBrokersBack cancels the appointments of up to
// changedPerRegion confirmed bookings per readable region, found by their
// MIS ids in the broker's store: the first at the clinic (the simulator's
// ChangeStatus) where the simulator has one, the others through other;
// it returns those bookings.
func (e *env) cancelBehindTheBrokersBack(ctx context.Context, other *regions.Registry) ([]*accepted, error) {
	if err := e.ledger.open(ctx); err != nil {
		return nil, err
	}
	st, err := store.New(ctx, e.ledger.db, store.Options{SkipMigrations: true}) // read only: the broker migrates
	if err != nil {
		return nil, err
	}
	defer st.Close()
	perRegion := map[string]int{}
	var changed []*accepted
	for _, b := range e.load.bookings() {
		if b.Status != "confirmed" || !system.Readable(e.kind(b.Region)) || perRegion[b.Region] == changedPerRegion {
			continue
		}
		stored, err := st.Get(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		if ca, ok := e.sim(b.Region).Admin.(missim.ClinicAdmin); ok && perRegion[b.Region] == 0 {
			// The first at the clinic itself: its callback is dropped.
			if _, err := ca.ChangeStatus(stored.AppointmentID, missim.StatusRequest{Status: missim.ChangeCancelled, Reason: "clinic_closed"}); err != nil {
				return nil, fmt.Errorf("drill: the clinic's cancel of booking %s in region %s: %w", b.ID, b.Region, err)
			}
			perRegion[b.Region]++
			changed = append(changed, b)
			continue
		}
		mis, err := other.MIS(b.Region)
		if err != nil {
			return nil, err
		}
		if _, err := mis.Cancel(ctx, stored.AppointmentID, "other-client-cancel-"+b.ID); err != nil {
			return nil, fmt.Errorf("drill: the other client's cancel of booking %s in region %s: %w", b.ID, b.Region, err)
		}
		perRegion[b.Region]++
		changed = append(changed, b)
	}
	return changed, nil
}

// reconcileCommand runs "federation reconcile --region code" against the
// broker's own config and returns how many differences it repaired.
func (e *env) reconcileCommand(ctx context.Context, code string) (int, error) {
	cmd := exec.CommandContext(ctx, e.broker.binary, "reconcile", "--config", e.broker.config, "--region", code,
		"--since", time.Now().Add(-48*time.Hour).Format(time.RFC3339))
	cmd.Env = e.broker.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("drill: federation reconcile --region %s: %w: %s", code, err, stderr.String())
	}
	repaired := 0
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var f reconcile.Finding
		if json.Unmarshal(sc.Bytes(), &f) == nil && f.Repaired {
			repaired++
		}
	}
	return repaired, sc.Err()
}
