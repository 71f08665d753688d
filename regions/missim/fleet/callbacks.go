package fleet

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/fedhealth/federation/regions/missim"
)

// SendsCallbacks reports whether the simulator reports the clinic's changes
// to the broker (fhir: webhooks; soap: UpdateAppointmentStatus); jsonrpc
// and feed regions send none.
func (s *Simulator) SendsCallbacks() bool {
	ca, ok := s.Admin.(missim.ClinicAdmin)
	return ok && ca.Notifier().Sends()
}

// SetCallback points the simulator's callbacks at t; an error for a
// simulator that sends none.
func (s *Simulator) SetCallback(t missim.CallbackTarget) error {
	ca, ok := s.Admin.(missim.ClinicAdmin)
	if !ok || !ca.Notifier().Sends() {
		return fmt.Errorf("simulator %s (%s) sends no callbacks", s.Region.Code, s.Kind())
	}
	s.callbackSecret = t.Secret
	return ca.Notifier().SetTarget(t)
}

// CallbackSecrets gives every simulator that sends callbacks a fresh
// signing secret and returns them by region code, as the broker's
// configuration (system.Options.CallbackSecrets) takes them. Point the
// simulators at the broker with PointCallbacks once it runs.
func CallbackSecrets(sims []*Simulator) map[string][]string {
	out := map[string][]string{}
	for _, s := range sims {
		if !s.SendsCallbacks() {
			continue
		}
		key := make([]byte, 24)
		_, _ = rand.Read(key) // crypto/rand never fails
		s.callbackSecret = "whsec_" + base64.StdEncoding.EncodeToString(key)
		out[s.Region.Code] = []string{s.callbackSecret}
	}
	return out
}

// PointCallbacks sends every simulator's callbacks to the broker whose
// callback listener is brokerURL (system.System.CallbackURL), at
// brokerURL/api/v1/callbacks/{region}, signed with the simulator's secret.
func PointCallbacks(sims []*Simulator, brokerURL string) error {
	for _, s := range sims {
		if !s.SendsCallbacks() || s.callbackSecret == "" {
			continue
		}
		t := missim.CallbackTarget{URL: brokerURL + "/api/v1/callbacks/" + s.Region.Code, Secret: s.callbackSecret}
		if err := s.SetCallback(t); err != nil {
			return err
		}
	}
	return nil
}
