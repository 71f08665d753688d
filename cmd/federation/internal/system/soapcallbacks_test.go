package system_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/soap"
)

// staleCounted finds region 16's count of stale callbacks in the metrics.
var staleCounted = regexp.MustCompile(`federation_callbacks_rejected_total\{[^}]*(reason="stale_timestamp"[^}]*region="16"|region="16"[^}]*reason="stale_timestamp")[^}]*\} 2`)

// soapCancellation is an UpdateAppointmentStatus of region 16's MIS: the
// clinic cancelled appointment appt for reason (the WSDL's codes).
func soapCancellation(t *testing.T, appt, reason string) []byte {
	t.Helper()
	b, err := soap.Marshal(soap.UpdateAppointmentStatusRequest{BookID: appt, Status: soap.StatusCancelled,
		CancelReason: reason, EventTime: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// soapUnauthenticated reports whether r is the SOAP fault a refused
// callback gets: 401, text/xml, the fault's code.
func soapUnauthenticated(r response) bool {
	return r.status == http.StatusUnauthorized && bytes.Contains(r.body, []byte("CALLBACK_UNAUTHENTICATED")) &&
		strings.HasPrefix(r.header.Get("Content-Type"), "text/xml")
}

// TestStaleReplayedAndRotatedSOAPCallbacks is the JSON callbacks' security
// test (TestForgedStaleReplayedAndRotatedCallbacks) for the soap kind's
// UpdateAppointmentStatus, end to end: region 16, two secrets configured
// while a rotation is under way, then the old one removed.
func TestStaleReplayedAndRotatedSOAPCallbacks(t *testing.T) {
	h := newCallbackHarness(t, func(o *system.Options) {
		o.CallbackSecrets["16"] = []string{oldSecret, newSecret} // a rotation under way
	})
	tok := h.token("sofia")
	id, appt := h.confirmed(tok, "16", 0)
	send := func(wid string, body []byte, at time.Time, secrets ...string) response {
		return h.deliver(signed{region: "16", id: wid, body: body, contentType: soap.ContentType, at: at, secrets: secrets})
	}

	// Stale: signed by a configured secret, but more than 5 minutes off.
	for name, at := range map[string]time.Time{"6 minutes old": time.Now().Add(-6 * time.Minute), "6 minutes ahead": time.Now().Add(6 * time.Minute)} {
		if r := send("stale-"+name, soapCancellation(t, appt, "CLINIC_CLOSED"), at, newSecret); !soapUnauthenticated(r) {
			t.Errorf("a SOAP callback %s: %d %s %s, want the 401 fault", name, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	if v := h.view(tok, id, "en"); v.Status != "confirmed" {
		t.Fatalf("stale callbacks changed the booking: %s", v.Status)
	}
	if !staleCounted.MatchString(string(h.internal("/metrics").body)) {
		t.Errorf("the metric does not count region 16's stale callbacks")
	}

	// Rotated: the old secret, then (another appointment) the new one, both accepted.
	first := send("rot-old", soapCancellation(t, appt, "CLINIC_CLOSED"), time.Time{}, oldSecret)
	if first.status != http.StatusAccepted || !bytes.Contains(first.body, []byte("UpdateAppointmentStatusResponse")) {
		t.Fatalf("signed by the old secret during the rotation: %d %s", first.status, first.body)
	}
	h.until(tok, id, "the clinic's cancellation applied", func(v historyView) bool { return v.Status == "cancelled" })

	// Replayed: the same webhook-id (signed anew, by both secrets) is
	// answered with the first answer's bytes and changes nothing more.
	again := send("rot-old", soapCancellation(t, appt, "CLINIC_CLOSED"), time.Time{}, newSecret, oldSecret)
	if again.status != first.status || !bytes.Equal(again.body, first.body) {
		t.Errorf("the replay: %d %s, want the first answer %d %s", again.status, again.body, first.status, first.body)
	}
	id2, appt2 := h.confirmed(tok, "16", 1)
	if r := send("rot-new", soapCancellation(t, appt2, "PRACTITIONER_UNAVAILABLE"), time.Time{}, newSecret); r.status != http.StatusAccepted {
		t.Errorf("signed by the new secret during the rotation: %d %s", r.status, r.body)
	}
	h.until(tok, id2, "the second cancellation applied", func(v historyView) bool { return v.Status == "cancelled" })
	v := h.view(tok, id, "en")
	cancels := 0
	for _, e := range v.Timeline {
		if e.Status == "cancelled" {
			cancels++
		}
	}
	if cancels != 1 || v.CancelledBy != "clinic" || v.ReasonCode != "cancelled_by_clinic_clinic_closed" {
		t.Errorf("after a replay: %d cancellations in the timeline, by %q for %q; want 1, by the clinic for clinic_closed", cancels, v.CancelledBy, v.ReasonCode)
	}

	// The rotation done: the old secret is removed and refused, the new
	// one still accepted, and an answered id still answered as before.
	id3, appt3 := h.confirmed(tok, "16", 2) // before the restart: the demo's tokens do not outlive it
	h.opts.CallbackSecrets["16"] = []string{newSecret}
	h.restart()
	if r := send("after-1", soapCancellation(t, appt3, "OTHER"), time.Time{}, oldSecret); !soapUnauthenticated(r) {
		t.Errorf("signed by the removed secret: %d %s, want the 401 fault", r.status, r.body)
	}
	if r := send("rot-new", soapCancellation(t, appt2, "PRACTITIONER_UNAVAILABLE"), time.Time{}, newSecret); r.status != http.StatusAccepted {
		t.Errorf("a replay after the restart: %d %s, want the first answer", r.status, r.body)
	}
	if r := send("after-2", soapCancellation(t, appt3, "OTHER"), time.Time{}, newSecret); r.status != http.StatusAccepted {
		t.Errorf("signed by the new secret after the rotation: %d %s", r.status, r.body)
	}
	h.until(h.token("sofia"), id3, "the cancellation signed by the new secret applied", func(v historyView) bool { return v.Status == "cancelled" })
}
