package system_test

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/missim/fleet"
	"github.com/fedhealth/federation/sagas/bus/kafkaembed"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// postgresSchema returns DATABASE_URL pointed at a fresh schema dropped at
// the end of the test, or skips the test without DATABASE_URL.
func postgresSchema(t *testing.T) string {
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		t.Skip("DATABASE_URL not set: tests of several instances on PostgreSQL skipped")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	schema := "systest_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// instances is several broker instances sharing one PostgreSQL schema, one
// Kafka (embedded unless KAFKA_BROKERS) and one identity provider.
type instances struct {
	t       *testing.T
	systems []*harness
	issuer  *auth.DevIssuer
	sims    []*fleet.Simulator
}

func startInstances(t *testing.T, n int) *instances {
	pg := postgresSchema(t)
	brokers := kafkaBrokers()
	if brokers == nil {
		cluster, err := kafkaembed.Start(kafkaembed.Config{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cluster.Close() })
		brokers = cluster.Addrs()
	}
	idp := httptest.NewUnstartedServer(nil)
	idp.Start()
	t.Cleanup(idp.Close)
	issuer, err := auth.NewDevIssuer(idp.URL, "federation")
	if err != nil {
		t.Fatal(err)
	}
	idp.Config.Handler = issuer.Handler()
	sims, err := fleet.StartSimulators(fleet.AllFHIR(fleet.Regions[:2]), 11, 0, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fleet.CloseAll(sims) })
	in := &instances{t: t, issuer: issuer, sims: sims}
	ns := testNamespace()
	for range n {
		h := &harness{t: t, sims: map[string]*fleet.Simulator{}}
		for _, s := range sims {
			h.sims[s.Region.Code] = s
		}
		h.opts = system.Options{
			Listen: "127.0.0.1:0", PostgresURL: pg, KafkaBrokers: brokers, KafkaNamespace: ns, Partitions: 4, Consumers: 4 / n,
			Regions: fleet.RegistryConfigs(sims), Issuer: issuer.Issuer(), Audience: "federation",
			PseudonymKey: bytes.Repeat([]byte{1}, 32), SealKey: bytes.Repeat([]byte{2}, 32), Logger: testLogger(),
			AllowOverlappingBookings: true, MaxActivePerCitizen: -1, // many slots as one citizen (see newHarness)
		}
		h.start()
		in.systems = append(in.systems, h)
	}
	return in
}

func (in *instances) token(citizen string) string {
	tok, err := in.issuer.Issue(citizen, time.Hour)
	if err != nil {
		in.t.Fatal(err)
	}
	return tok
}

func TestSeveralInstancesShareTheWorkAndAnswerForAnyBooking(t *testing.T) {
	in := startInstances(t, 2)
	a, b := in.systems[0], in.systems[1]
	tok := in.token("anya")
	slots := append(a.freeSlots(tok, "77", 10), a.freeSlots(tok, "78", 10)...)
	var ids []string
	for i, s := range slots {
		ids = append(ids, in.systems[i%2].book(tok, s.ID))
	}
	for i, id := range ids {
		// Booked through one instance, followed through the other.
		in.systems[(i+1)%2].waitStatus(tok, id, 20*time.Second, "confirmed")
	}
	if n := len(b.history(tok)); n != len(ids) {
		t.Errorf("instance b lists %d bookings, want %d", n, len(ids))
	}
	// The second instance's consumers join the groups a moment after it
	// starts; from then on both run sagas.
	extra := append(a.freeSlots(tok, "77", 60)[10:], a.freeSlots(tok, "78", 60)[10:]...)
	deadline := time.Now().Add(15 * time.Second)
	for i := 0; sagasRun(t, a) == 0 || sagasRun(t, b) == 0; i++ {
		if time.Now().After(deadline) || i == len(extra) {
			t.Fatalf("sagas run by the instances: %d and %d; the consumer groups did not spread the partitions", sagasRun(t, a), sagasRun(t, b))
		}
		a.waitStatus(tok, a.book(tok, extra[i].ID), 10*time.Second, "confirmed")
	}
	booked := countStatus(a.appointments("77"), "booked") + countStatus(a.appointments("78"), "booked")
	if want := len(b.history(tok)); booked != want {
		t.Errorf("the clinics hold %d booked appointments for %d confirmed bookings", booked, want)
	}
}

func TestWhenAnInstanceStopsUnderLoadTheOtherFinishesItsWork(t *testing.T) {
	in := startInstances(t, 2)
	a, b := in.systems[0], in.systems[1]
	tok := in.token("boris")
	slots := append(a.freeSlots(tok, "77", 20), a.freeSlots(tok, "78", 20)...)
	for _, s := range in.sims {
		if err := s.MIS.SetFaults(faultsLatency(20)); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu  sync.Mutex
		ids []string
	)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(slots); i += 4 {
				id := b.book(tok, slots[i].ID)
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
			}
		})
	}
	time.Sleep(150 * time.Millisecond)
	a.stop() // SIGTERM's path: stop taking requests, hand back in-flight work
	wg.Wait()
	final := map[string]map[string]string{"77": {}, "78": {}}
	for _, id := range ids {
		v := b.waitStatus(tok, id, 30*time.Second, "confirmed", "rejected", "failed")
		if v.Status != "confirmed" {
			t.Errorf("booking %s ended %s (%s)", id, v.Status, v.Reason)
		}
		final[v.Region][id] = v.Status
	}
	for region, f := range final {
		assertOneAppointmentPerConfirmedBooking(t, b, region, f)
	}
}

// sagasRun reads how many bookings an instance's sagas finished from its
// /metrics.
func sagasRun(t *testing.T, h *harness) int {
	r := h.internal("/metrics")
	n := 0
	for _, line := range strings.Split(string(r.body), "\n") {
		if strings.HasPrefix(line, "federation_bookings_total{") {
			var v float64
			if _, err := fmt.Sscan(line[strings.LastIndex(line, " ")+1:], &v); err == nil {
				n += int(v)
			}
		}
	}
	return n
}
