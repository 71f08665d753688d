package jsonrpc_test

import (
	"context"
	"github.com/fedhealth/federation/regions/mishttp"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/rpcsim"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

var moscow = contracts.Region{Code: "77", Name: "Moscow", TimeZone: "Europe/Moscow"}

// patient is one the simulator will know (it binds a policy to the birth
// date it first sees).
var patient = contracts.Patient{OMS: "7700000000001234", BirthDate: "1985-03-14"}

// rig is the adapter against the simulator on loopback, with the real
// SQLite ledger.
type rig struct {
	sim    *rpcsim.Server
	url    string
	db     *sqldb.DB
	ledger *ledger.Store
	client *jsonrpc.Client
}

func newRig(t *testing.T) *rig {
	t.Helper()
	sim, err := rpcsim.New(rpcsim.Config{Region: moscow.Code, TimeZone: moscow.TimeZone, Seed: 7,
		RequireReferral: []string{missim.SpecialtyCardiology}, RequireAttachment: []string{missim.SpecialtyTherapy}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	db, _ := sqldbtest.SQLite(t)
	l, err := ledger.New(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{sim: sim, url: srv.URL, db: db, ledger: l}
	r.client = r.newClient(t)
	return r
}

// newClient is another adapter over the same simulator and ledger: a
// restarted broker instance, which remembers no patient.
func (r *rig) newClient(t *testing.T) *jsonrpc.Client {
	t.Helper()
	return newClient(t, r.url, r.ledger)
}

func newClient(t *testing.T, url string, l jsonrpc.Ledger) *jsonrpc.Client {
	t.Helper()
	c, err := jsonrpc.New(jsonrpc.Config{Region: moscow, EndpointConfig: mishttp.EndpointConfig{Endpoint: url, CallTimeout: 500 * time.Millisecond, ReadAttempts: 1}}, l, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func (r *rig) loseAnswers(t *testing.T, on bool) {
	t.Helper()
	rate := 0.0
	if on {
		rate = 1
	}
	if err := r.sim.SetFaults(missim.Faults{TimeoutAfterCommitRate: rate}); err != nil {
		t.Fatal(err)
	}
}

// live counts the simulator's booked appointments on slotID.
func (r *rig) live(slotID string) int {
	n := 0
	for _, a := range r.sim.Appointments() {
		if a.SlotID == slotID && a.Status == jsonrpc.StatusBooked {
			n++
		}
	}
	return n
}

// freeSlot returns a free slot an hour or more ahead that the patient may
// book (not a cardiologist's, not a therapist's).
func (r *rig) freeSlot(t *testing.T, skip int) contracts.Slot {
	t.Helper()
	slots, err := r.client.SearchSlots(context.Background(), contracts.SlotQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slots {
		if s.Start.After(time.Now().Add(time.Hour)) && s.Specialty.Code != missim.SpecialtyCardiology && s.Specialty.Code != missim.SpecialtyTherapy {
			if skip == 0 {
				return s
			}
			skip--
		}
	}
	t.Fatal("no free slot")
	return contracts.Slot{}
}
