package missim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/fhir"
	"github.com/fedhealth/federation/regions/missim"
)

// The period search is read through the broker's own FHIR client: the
// appointments made elsewhere come back with their patient, channel and
// times, and a period that misses them lists none.
func TestThePeriodSearchListsAppointmentsWithTheirPatients(t *testing.T) {
	sim, err := missim.New(missim.Config{Region: "78", Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	c, err := fhir.New(fhir.Config{Region: contracts.Region{Code: "78", Name: "Saint Petersburg", TimeZone: "Europe/Moscow"},
		BaseURL: srv.URL, CallTimeout: 2 * time.Second, Retry: fhir.RetryConfig{MaxAttempts: 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	start := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
	walkIn := `{"start":"` + start.Format(time.RFC3339) + `","end":"` + start.Add(20*time.Minute).Format(time.RFC3339) + `","oms":"1234567890123456","channel":"registry_desk"}`
	w := adminPost(t, srv.URL+"/admin/appointments", walkIn, http.StatusCreated)
	s := adminPost(t, srv.URL+"/admin/appointments", `{"slot_id":"S-40","snils":"112-233-445 95","channel":"call_centre"}`, http.StatusCreated)

	ctx := context.Background()
	list, err := c.PeriodAppointments(ctx, time.Now().Add(-24*time.Hour), time.Now().Add(120*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]contracts.PeriodAppointment{}
	for _, a := range list {
		got[a.ID] = a
	}
	if a := got[w.AppointmentID]; a.Patient.OMS != "1234567890123456" || a.Channel != "registry_desk" || !a.Start.Equal(start) ||
		a.Status != contracts.AppointmentBooked || a.PractitionerName == "" {
		t.Errorf("walk-in listed as %+v", a)
	}
	if a := got[s.AppointmentID]; a.Patient.SNILS != "112-233-445 95" || a.Channel != "call_centre" || a.SlotID != "S-40" || !a.End.After(a.Start) {
		t.Errorf("slot booking listed as %+v", a)
	}
	none, err := c.PeriodAppointments(ctx, start.Add(time.Minute), start.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range none {
		if a.ID == w.AppointmentID {
			t.Errorf("a period after its start lists the walk-in")
		}
	}
	resp, err := http.Get(srv.URL + "/Appointment?date=ge2026-13-01")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a malformed period answered %d, want 400", resp.StatusCode)
	}
}
