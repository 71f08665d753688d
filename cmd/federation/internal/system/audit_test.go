package system_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
)

// withCorrelation is the header that lets a test find the audit record of
// one call.
func withCorrelation(id string, more map[string]string) map[string]string {
	h := map[string]string{"X-Correlation-ID": id}
	for k, v := range more {
		h[k] = v
	}
	return h
}

// auditRecord returns the one record of the call made with correlation id.
func (h *harness) auditRecord(corr string) audit.Record {
	h.t.Helper()
	recs, err := h.sys.Audit.List(context.Background(), audit.Filter{})
	if err != nil {
		h.t.Fatal(err)
	}
	var found []audit.Record
	for _, r := range recs {
		if r.CorrelationID == corr {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		h.t.Fatalf("%d audit records for the call %s, want 1: %+v", len(found), corr, found)
	}
	return found[0]
}

func TestEveryAccessToACitizensBookingsIsAuditedUnderTheirPseudonymOnly(t *testing.T) {
	h := newHarness(t, 1, nil)
	zoya, yuri := h.token("zoya-audit"), h.token("yuri-audit")
	pseudonyms, err := auth.NewPseudonymizer(h.opts.PseudonymKey)
	if err != nil {
		t.Fatal(err)
	}
	slot := h.freeSlots(zoya, "77", 1)[0]

	created := h.call(http.MethodPost, "/api/v1/bookings", zoya, `{"slot_id":"`+slot.ID+`"}`,
		withCorrelation("audit-create", map[string]string{"Idempotency-Key": "audit-1"}))
	var b bookingView
	h.mustJSON(created, http.StatusAccepted, &b)
	h.call(http.MethodGet, "/api/v1/bookings/"+b.ID, zoya, "", withCorrelation("audit-read", nil))
	h.call(http.MethodGet, "/api/v1/bookings", zoya, "", withCorrelation("audit-list", nil))
	h.call(http.MethodGet, "/api/v1/bookings/"+b.ID, yuri, "", withCorrelation("audit-foreign", nil))
	h.waitStatus(zoya, b.ID, 10*time.Second, "confirmed")
	h.call(http.MethodPost, "/api/v1/bookings/"+b.ID+"/cancel", zoya, "", withCorrelation("audit-cancel", nil))
	h.call(http.MethodGet, "/api/v1/bookings/"+strings.Repeat("x", 10_000), zoya, "", withCorrelation("audit-probe", nil))

	zp, yp := pseudonyms.Pseudonym("citizen", "zoya-audit"), pseudonyms.Pseudonym("citizen", "yuri-audit")
	cases := []struct {
		name, corr, actor string
		action            audit.Action
		booking           string
		status            int
		outcome           audit.Outcome
	}{
		{"a booking request names the booking it created", "audit-create", zp, audit.BookingCreate, b.ID, 202, audit.OK},
		{"reading a booking", "audit-read", zp, audit.BookingRead, b.ID, 200, audit.OK},
		{"reading the history", "audit-list", zp, audit.BookingList, "", 200, audit.OK},
		{"another citizen's attempt is recorded as theirs, refused", "audit-foreign", yp, audit.BookingRead, b.ID, 404, audit.Refused},
		{"a cancellation", "audit-cancel", zp, audit.BookingCancel, b.ID, 202, audit.OK},
		{"a probe with a 10 kB id is recorded without the id", "audit-probe", zp, audit.BookingRead, "", 404, audit.Refused},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.auditRecord(tc.corr)
			if r.ActorKind != audit.Citizen || r.Actor != tc.actor || r.Action != tc.action || r.BookingID != tc.booking ||
				r.Status != tc.status || r.Outcome != tc.outcome || r.Client != audit.ClientLoopback || time.Since(r.At) > time.Minute {
				t.Errorf("record %+v, want %s by %s on %q answered %d (%s) from loopback", r, tc.action, tc.actor, tc.booking, tc.status, tc.outcome)
			}
		})
	}
	if r := h.auditRecord("audit-probe"); r.Target != audit.MalformedBookingID {
		t.Errorf("the probe's record says %q, want it marked as a malformed id", r.Target)
	}

	// Searching slots reads no personal data; an unauthenticated call
	// reaches none.
	h.call(http.MethodGet, "/api/v1/slots?region=77", zoya, "", withCorrelation("audit-slots", nil))
	h.call(http.MethodGet, "/api/v1/bookings", "", "", withCorrelation("audit-anonymous", nil))
	recs, err := h.sys.Audit.List(context.Background(), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.CorrelationID == "audit-slots" || r.CorrelationID == "audit-anonymous" {
			t.Errorf("recorded %+v, want no record for a call that reaches no personal data", r)
		}
	}
	copies := h.topicMessages(audit.Topic)
	if len(copies) != len(recs) {
		t.Errorf("%d copies on the audit topic, want one per record (%d)", len(copies), len(recs))
	}

	// No clear identifier anywhere: not the subject, SNILS or OMS.
	trail, _ := json.Marshal(recs)
	for _, c := range copies {
		trail = append(trail, c.Payload...)
	}
	for _, who := range []string{"zoya-audit", "yuri-audit"} {
		for _, clear := range []string{who, auth.SyntheticSNILS(who), auth.SyntheticOMS(who)} {
			if strings.Contains(string(trail), clear) {
				t.Errorf("the audit trail holds %q in clear", clear)
			}
		}
	}

	// No answer without its record: with the trail gone, the data stays in.
	if _, err := h.sys.SQL.W.ExecContext(context.Background(), `DROP TABLE audit_outbox`); err != nil {
		t.Fatal(err)
	}
	r := h.call(http.MethodGet, "/api/v1/bookings/"+b.ID, zoya, "", nil)
	if r.status != http.StatusInternalServerError || strings.Contains(string(r.body), slot.ID) || strings.Contains(string(r.body), "timeline") {
		t.Errorf("read with the audit trail unwritable: %d %s, want a 500 that shows nothing of the booking", r.status, r.body)
	}
}
