package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/sagas"
)

// declined reads an operator's decline answer.
func declined(t *testing.T, r answer) operatorAnswerJSON {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("decline: %d %s, want 200", r.status, r.body)
	}
	var a operatorAnswerJSON
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// timelineHas reports whether the citizen's booking's timeline shows text.
func (a *wholeAPI) timelineHas(t *testing.T, citizen, id, text string) bool {
	t.Helper()
	r := a.call(t, citizen, http.MethodGet, "/api/v1/bookings/"+id, "")
	var b bookingJSON
	if r.status != http.StatusOK || json.Unmarshal(r.body, &b) != nil {
		t.Fatalf("the citizen's booking: %d %s", r.status, r.body)
	}
	for _, e := range b.Timeline {
		if strings.Contains(e.Detail, text) {
			return true
		}
	}
	return false
}

func TestAnOperatorDeclinesWithTheIssuesFreeTextReason(t *testing.T) {
	a := newWholeAPI(t)
	citizen, op := a.citizen(t, "decline-anna"), a.operator(t, "op1", wholeFeedRegion)
	alone, withCode, refused := a.book(t, citizen, 1), a.book(t, citizen, 2), a.book(t, citizen, 3)
	path := func(id string) string { return "/api/v1/operator/bookings/" + id + "/decline" }

	words := "Врач в отпуске; запишитесь по телефону +7 (423) 123-45-67."
	got := declined(t, a.call(t, op, http.MethodPost, path(alone), `{"reason":"`+words+`"}`))
	if want, _ := sagas.DeclineReason(sagas.DeclineOther); got.Status != sagas.StatusRejected || got.ReasonCode != "other" || got.Reason != want {
		t.Errorf("a reason alone: %+v, want rejected with the generic code and its sentence", got)
	}
	if !a.timelineHas(t, citizen, alone, words) {
		t.Error("the citizen's timeline lacks the operator's reason")
	}
	recs, err := a.trail.List(t.Context(), audit.Filter{BookingID: alone})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if rec.Action == audit.OperatorDecline && rec.Reason != "other" {
			t.Errorf("the decline is audited with reason %q, want the code only", rec.Reason)
		}
		if strings.Contains(rec.Reason+rec.Detail+rec.Target, "отпуске") {
			t.Errorf("the operator's words reached the audit trail: %+v", rec)
		}
	}

	got = declined(t, a.call(t, op, http.MethodPost, path(withCode), `{"reason_code":"practitioner_absent","reason":"`+words+`"}`))
	if got.ReasonCode != "practitioner_absent" {
		t.Errorf("a code with a reason: %+v, want the code kept", got)
	}
	if !a.timelineHas(t, citizen, withCode, words) {
		t.Error("the citizen's timeline lacks the reason given with a code")
	}

	for _, c := range []struct{ name, body, detail string }{
		{"a reason holding a SNILS", `{"reason":"SNILS 123-456-789 01 does not match"}`, "reason must not hold a SNILS"},
		{"a reason with a control character", `{"reason":"closed\u001b[2J"}`, "reason must be at most 500"},
		{"a reason too long", `{"reason":"` + strings.Repeat("a", 501) + `"}`, "reason must be at most 500"},
		{"a reason and a note", `{"reason":"closed","note":"closed"}`, "not both"},
		{"neither a code nor a reason", `{}`, "practitioner_absent"},
		{"a blank reason", `{"reason":"   "}`, "practitioner_absent"},
		{"an unknown code with a reason", `{"reason_code":"closed_today","reason":"closed"}`, "practitioner_absent"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := a.call(t, op, http.MethodPost, path(refused), c.body)
			var pr problem
			_ = json.Unmarshal(r.body, &pr)
			if r.status != http.StatusBadRequest || r.code != "invalid-request" || !strings.Contains(pr.Detail, c.detail) {
				t.Errorf("%d %s, want 400 invalid-request saying %q", r.status, r.body, c.detail)
			}
		})
	}
	// Refused as it was, the booking still awaits the operator, and the
	// old form still works.
	got = declined(t, a.call(t, op, http.MethodPost, path(refused), `{"reason_code":"duplicate","note":"Уже записаны."}`))
	if got.ReasonCode != "duplicate" || !a.timelineHas(t, citizen, refused, "Уже записаны.") {
		t.Errorf("reason_code and note: %+v, want declined as duplicate with the note", got)
	}
}
