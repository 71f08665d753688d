package soap_test

import (
	"context"
	"github.com/fedhealth/federation/regions/mishttp"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/soapsim"
	"github.com/fedhealth/federation/regions/soap"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

// The test package imports sagas/ledger (only here, in tests) to run the
// adapter against the real ledger; the adapter itself knows only its port.

const tz = "Asia/Vladivostok" // +10:00 all year: offsets are easy to check

var region = contracts.Region{Code: "25", Name: "Приморский край", TimeZone: tz}

// patient returns a distinct, well-formed patient per n.
func patient(n int) contracts.Patient {
	return contracts.Patient{SNILS: "1234567" + pad4(n), OMS: "77000000000" + pad4(n) + "0"}
}

func pad4(n int) string {
	b := []byte("0000")
	for i := 3; i >= 0 && n > 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}

// world is a simulator on loopback, a real ledger and a client over them.
type world struct {
	sim    *soapsim.Server
	url    string
	ledger *ledger.Store
	client *soap.Client
}

func newWorld(t *testing.T, open sqldbtest.Open, simCfg soapsim.Config, tune func(*soap.Config)) *world {
	t.Helper()
	simCfg.Region, simCfg.TimeZone = region.Code, tz
	sim, err := soapsim.New(simCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	db, _ := open(t)
	l, err := ledger.New(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{sim: sim, url: srv.URL, ledger: l}
	w.client = newClient(t, srv.URL+"/", l, tune)
	return w
}

func newClient(t *testing.T, endpoint string, l soap.Ledger, tune func(*soap.Config)) *soap.Client {
	t.Helper()
	cfg := soap.Config{Region: region, EndpointConfig: mishttp.EndpointConfig{Endpoint: endpoint, CallTimeout: 2 * time.Second, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}}
	if tune != nil {
		tune(&cfg)
	}
	c, err := soap.New(cfg, l, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (w *world) setFaults(t *testing.T, f missim.Faults) {
	t.Helper()
	if err := w.sim.SetFaults(f); err != nil {
		t.Fatal(err)
	}
}

// firstFree returns the first free slot of the specialty.
func (w *world) firstFree(t *testing.T, specialty string) contracts.Slot {
	t.Helper()
	slots, err := w.client.SearchSlots(context.Background(), contracts.SlotQuery{Specialty: specialty, Limit: 1})
	if err != nil || len(slots) != 1 {
		t.Fatalf("search %s = %v, %v", specialty, slots, err)
	}
	return slots[0]
}

// booked counts the simulator's live appointments.
func (w *world) booked() int {
	n := 0
	for _, a := range w.sim.Appointments() {
		if a.Status == soap.StatusBooked {
			n++
		}
	}
	return n
}

func wantKind(t *testing.T, what string, err error, want contracts.Kind) {
	t.Helper()
	if err == nil || contracts.KindOf(err) != want {
		t.Fatalf("%s: error %v (kind %v), want kind %v", what, err, contracts.KindOf(err), want)
	}
}
