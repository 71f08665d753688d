package conformance_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/contracts/misv2/conformance"
)

// An MIS whose answers break openapi.yaml fails the requirement that made
// the call, with the request line and the validator's message.
func TestAnAnswerOffTheSpecFailsWithThePathAndTheValidatorsMessage(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"a Bundle without its type", `{"resourceType":"Bundle","total":0}`, http.StatusOK, `"type"`},
		{"a status the contract does not document", `{"resourceType":"Bundle","type":"searchset","total":0}`, http.StatusTeapot, "418"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", misv2.ContentType)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			t.Cleanup(srv.Close)
			rec := kit.NewRecorder()
			rep, err := kit.Run(context.Background(), conformance.Requirements(conformance.Target{BaseURL: srv.URL + "/fhir", Recorder: rec}),
				kit.Options{Only: []string{"FHIR-READ-04"}})
			if err != nil {
				t.Fatal(err)
			}
			r := rep.Results[0]
			ev := strings.Join(r.Evidence, "\n")
			if r.Status != kit.StatusFail || !strings.Contains(ev, "GET /fhir/Appointment?identifier=") ||
				!strings.Contains(ev, "openapi.yaml") || !strings.Contains(ev, tc.want) {
				t.Errorf("result %s with evidence:\n%s\nwant a failure naming the request, openapi.yaml and %s", r.Status, ev, tc.want)
			}
			if st := rec.Stats(); len(st) != 1 || st[0].Operation != "GET /Appointment" {
				t.Errorf("latency %+v, want one operation GET /Appointment", st)
			}
		})
	}
}
