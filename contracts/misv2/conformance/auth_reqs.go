package conformance

import (
	"net/http"

	kit "github.com/fedhealth/federation/contracts/conformance"
)

var authRequirements = []requirement{
	{id: "FHIR-AUTH-01", title: "Calls without the bearer token are refused with 401", readOnly: true, run: authRequired},
}

func authRequired(t kit.T, c *client) {
	if c.token == "" {
		t.Skip("Target.BearerToken is empty: the MIS is tested without authentication")
	}
	for _, path := range []string{"/Slot?status=free&_count=1", "/Appointment/conformance-no-such-appointment"} {
		req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.exchangeOffContract(req) // no token: off the contract on purpose
		if err != nil {
			t.Fatalf("the MIS did not answer: %v", err)
		}
		if r.status != http.StatusUnauthorized {
			t.Errorf("GET %s without a token answered %d, want 401", path, r.status)
		}
	}
}
