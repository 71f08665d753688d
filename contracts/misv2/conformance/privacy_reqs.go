package conformance

import (
	"bytes"
	"net/http"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
)

// privacyRequirements check the contract's personal-data rule: the
// patient's SNILS and OMS number arrive in $hold only, and the MIS must not
// echo them in its answers (openapi.yaml, "Personal data").
var privacyRequirements = []requirement{
	{id: "FHIR-PRIV-01", title: "Hold, book, read, find and cancel answers never echo the patient's SNILS or OMS number", run: privacyNoEcho},
}

func privacyNoEcho(t kit.T, c *client) {
	_, a := c.held(t)
	answers := []response{
		c.get(t, "/Appointment/"+a.ID),
		c.get(t, findQuery(holdKey(a))),
		c.book(t, a.ID, c.key()),
		c.cancel(t, a.ID, c.key()),
	}
	s := c.freeSlot(t)
	hold := c.hold(t, s.ID, c.key())
	if hold.status == http.StatusOK {
		c.releaseLater(t, decode[misv2.Appointment](t, hold, http.StatusOK, "hold").ID)
	}
	answers = append(answers, hold)
	for _, r := range answers {
		for _, id := range c.patient {
			if echoes(r.body, id.Value) {
				t.Errorf("the answer echoes the patient's %s %s; %s", id.System, id.Value, r)
			}
		}
	}
}

// echoes reports whether body carries v, bare or, for a SNILS, written
// as XXX-XXX-XXX YY.
func echoes(body []byte, v string) bool {
	if bytes.Contains(body, []byte(v)) {
		return true
	}
	if len(v) == 11 {
		return bytes.Contains(body, []byte(v[:3]+"-"+v[3:6]+"-"+v[6:9]+" "+v[9:]))
	}
	return false
}
