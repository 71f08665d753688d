package soapsim_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fedhealth/federation/regions/missim/soapsim"
	"github.com/fedhealth/federation/regions/soap"
)

// serve starts the simulator on loopback and returns its URL.
func serve(t *testing.T, cfg soapsim.Config) string {
	t.Helper()
	cfg.Region = "25"
	sim, err := soapsim.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func do(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestAdminRuleIsMissims(t *testing.T) {
	t.Run("without a token only loopback callers get in", func(t *testing.T) {
		url := serve(t, soapsim.Config{})
		if code, body := do(t, http.MethodGet, url+"/admin/appointments", "", ""); code != 200 || !strings.Contains(body, `"appointments"`) {
			t.Fatalf("loopback admin = %d %s", code, body)
		}
	})
	t.Run("with a token every caller must present it", func(t *testing.T) {
		token := "an-admin-token-of-length"
		url := serve(t, soapsim.Config{AdminToken: token})
		if code, _ := do(t, http.MethodGet, url+"/admin/faults", "", ""); code != http.StatusUnauthorized {
			t.Fatalf("admin without the token = %d, want 401", code)
		}
		if code, body := do(t, http.MethodPut, url+"/admin/faults", token, `{"down":true}`); code != 200 || !strings.Contains(body, `"down":true`) {
			t.Fatalf("PUT faults = %d %s", code, body)
		}
		if code, body := do(t, http.MethodPost, url+"/", "", `<x/>`); code != http.StatusServiceUnavailable || !strings.Contains(body, soap.FaultMISUnavailable) {
			t.Fatalf("a SOAP call while down = %d %s", code, body)
		}
		if code, _ := do(t, http.MethodPut, url+"/admin/faults", token, `{"error_rate":2}`); code != http.StatusBadRequest {
			t.Fatalf("an out-of-range fault = %d, want 400", code)
		}
	})
	t.Run("a short admin token is refused", func(t *testing.T) {
		if _, err := soapsim.New(soapsim.Config{Region: "25", AdminToken: "short"}, nil); err == nil {
			t.Fatal("want an error")
		}
	})
}

func TestTheWSDLIsServedAndBadRequestsAreFaults(t *testing.T) {
	url := serve(t, soapsim.Config{})
	if code, body := do(t, http.MethodGet, url+"/?wsdl", "", ""); code != 200 || body != string(soap.WSDL) {
		t.Fatalf("?wsdl = %d", code)
	}
	for name, body := range map[string]string{
		"malformed XML": `<soap:Envelope xmlns:soap="` + soap.EnvelopeNamespace + `"><soap:Body><Get`,
		"an unknown method": string(must(soap.Marshal(&struct {
			XMLName xml.Name `xml:"http://www.rt-eu.ru/med/er/v2_0 DoMagicRequest"`
		}{}))),
		"no envelope": `{"json":true}`,
	} {
		if code, got := do(t, http.MethodPost, url+"/", "", body); code != 500 || !strings.Contains(got, soap.FaultInvalidRequest) {
			t.Errorf("%s: %d %s, want an INVALID_REQUEST fault", name, code, got)
		}
	}
}

// An MIS that commits and then fails while answering: CreateAppointment is
// answered with a server fault of no known code, and the appointment
// stands (the adapter must find it by read-back, never book again).
func TestCommitThenErrorMakesTheAppointmentAndAnswersAFault(t *testing.T) {
	sim, err := soapsim.New(soapsim.Config{Region: "16"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	var session soap.GetPatientInfoResponse
	if code, body := do(t, http.MethodPost, srv.URL+"/", "", string(must(soap.Marshal(&soap.GetPatientInfoRequest{OMSNumber: "1600000000001234"})))); code != 200 {
		t.Fatalf("GetPatientInfo = %d %s", code, body)
	} else if d, start, err := soap.ReadEnvelope(strings.NewReader(body)); err != nil || d.DecodeElement(&session, &start) != nil {
		t.Fatalf("GetPatientInfo answer %s: %v", body, err)
	}
	if code, body := do(t, http.MethodPut, srv.URL+"/admin/faults", "", `{"error_after_commit_rate":1}`); code != 200 {
		t.Fatalf("PUT faults = %d %s", code, body)
	}
	create := string(must(soap.Marshal(&soap.CreateAppointmentRequest{SessionID: session.SessionID, SlotID: "SL-1"})))
	if code, body := do(t, http.MethodPost, srv.URL+"/", "", create); code != 500 || !strings.Contains(body, "soap:Server") || strings.Contains(body, "Book_Id") {
		t.Fatalf("CreateAppointment after commit = %d %s, want a server fault without the Book_Id", code, body)
	}
	if appts := sim.Appointments(); len(appts) != 1 || appts[0].SlotID != "SL-1" || appts[0].Status != soap.StatusBooked {
		t.Fatalf("appointments %+v, want the one made before the fault", appts)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
