package drill

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb"
)

// keyless reports whether a kind's MIS takes no Idempotency-Keys, so its
// appointments carry no hold key to name their booking by (soap, jsonrpc).
func keyless(kind contracts.RegionKind) bool {
	return kind == contracts.RegionSOAP || kind == contracts.RegionJSONRPC
}

// stepLedger reads the broker's step ledger (sagas/ledger, the table the
// soap and jsonrpc adapters record each hold's MIS appointment in), read
// only, from the broker's own database; it is opened at the first read,
// once the broker has created it.
type stepLedger struct {
	cfg   sqldb.Config
	db    *sqldb.DB
	store *ledger.Store
}

func newStepLedger(dataDir, postgresURL string) *stepLedger {
	if postgresURL != "" {
		return &stepLedger{cfg: sqldb.Config{PostgresURL: postgresURL}}
	}
	return &stepLedger{cfg: sqldb.Config{Path: filepath.Join(dataDir, "federation.db")}} // as system.DatabaseConfig names it
}

// holdKeys gives every appointment of a keyless region the hold key of
// the booking whose hold the ledger says made it, so that reconcile can
// tie the MIS's appointments to the broker's bookings as it does for a
// FHIR MIS, which keeps the key itself. An appointment the ledger names
// for no booking keeps no key: reconcile reports it if it is live (a
// booking at the clinic that no booking of the broker's knows). bookings
// are the ids of the region's accepted bookings.
func (l *stepLedger) holdKeys(ctx context.Context, region string, bookings []string, appts []contracts.Appointment) error {
	if len(appts) == 0 {
		return nil
	}
	if err := l.open(ctx); err != nil {
		return err
	}
	byAppt := map[string]string{}
	for _, id := range bookings {
		key := contracts.StepKey(id, contracts.StepHold)
		_, _, apptID, err := l.store.Get(ctx, region, key)
		switch {
		case errors.Is(err, contracts.ErrNotFound): // the hold never reached the MIS
		case err != nil:
			return fmt.Errorf("drill: ledger of region %s: %w", region, err)
		case apptID != "":
			byAppt[apptID] = key
		}
	}
	for i := range appts {
		appts[i].HoldKey = byAppt[appts[i].ID]
	}
	return nil
}

func (l *stepLedger) open(ctx context.Context) error {
	if l.store != nil {
		return nil
	}
	db, err := sqldb.Open(l.cfg)
	if err != nil {
		return fmt.Errorf("drill: open the broker's database: %w", err)
	}
	store, err := ledger.New(ctx, db, true, nil, nil) // the broker migrates it; the drill only reads
	if err != nil {
		_ = db.Close()
		return err
	}
	l.db, l.store = db, store
	return nil
}

func (l *stepLedger) close() error {
	if l.db == nil {
		return nil
	}
	return l.db.Close()
}
