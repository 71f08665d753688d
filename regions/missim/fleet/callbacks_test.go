package fleet_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func TestTheFleetGivesEachSenderASecretAndTheBrokersURL(t *testing.T) {
	sims, err := fleet.StartSimulators(fleet.Regions[:fleet.DefaultCount], 1, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.CloseAll(sims)
	t0 := time.Now().Add(time.Hour).Truncate(time.Minute)
	secrets := fleet.CallbackSecrets(sims)
	var verified atomic.Int64
	broker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := strings.TrimPrefix(r.URL.Path, "/api/v1/callbacks/")
		body, _ := io.ReadAll(r.Body)
		wh, _ := standardwebhooks.NewWebhook(secrets[code][0])
		if wh.Verify(body, r.Header) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		verified.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer broker.Close()
	if err := fleet.PointCallbacks(sims, broker.URL); err != nil {
		t.Fatal(err)
	}
	for _, s := range sims {
		sends := s.Kind() == contracts.RegionFHIR || s.Kind() == contracts.RegionSOAP
		if _, has := secrets[s.Region.Code]; has != sends || s.SendsCallbacks() != sends {
			t.Errorf("region %s (%s): secret %v, sends %v", s.Region.Code, s.Kind(), has, s.SendsCallbacks())
		}
		ca, ok := s.Admin.(missim.ClinicAdmin)
		if !ok {
			if s.KeepsAppointments() {
				t.Errorf("region %s (%s) books but has no clinic admin", s.Region.Code, s.Kind())
			}
			continue
		}
		c, err := ca.BookElsewhere(missim.ElsewhereRequest{SlotID: "", Start: t0, End: t0.Add(20 * time.Minute), OMS: "1234567890123456", Channel: "kiosk"})
		if err != nil {
			t.Fatal(err)
		}
		rep := ca.Notifier().Send(t.Context(), missim.ElsewhereCallbackOf(missim.ElsewhereRequest{OMS: "1234567890123456", Channel: "kiosk"}, c, t0))
		if want := map[bool]string{true: missim.CallbackSent, false: missim.CallbackNone}[sends]; rep.Result != want {
			t.Errorf("region %s (%s): callback %+v, want %s", s.Region.Code, s.Kind(), rep, want)
		}
	}
	if n := verified.Load(); n != int64(len(secrets)) {
		t.Errorf("%d callbacks verified, want one per sender (%d)", n, len(secrets))
	}
}
