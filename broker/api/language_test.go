package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/sagas"
)

func TestTheReadersLanguageIsRussianUnlessEnglishIsPreferred(t *testing.T) {
	cases := []struct {
		name, header string
		want         sagas.Lang
	}{
		{"no Accept-Language reads Russian", "", sagas.LangRU},
		{"English asked for reads English", "en-GB", sagas.LangEN},
		{"Russian preferred by q-value reads Russian", "en;q=0.5, ru;q=0.9", sagas.LangRU},
		{"English preferred by q-value reads English", "ru;q=0.1, en", sagas.LangEN},
		{"a language we lack falls to the next one asked for", "de, en;q=0.3", sagas.LangEN},
		{"only languages we lack read Russian", "de, fr", sagas.LangRU},
		{"a malformed header reads Russian", ";;;q=x", sagas.LangRU},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api/v1/bookings", nil)
			if c.header != "" {
				r.Header.Set("Accept-Language", c.header)
			}
			w := httptest.NewRecorder()
			if got := langOf(w, r); got != c.want || w.Header().Get("Content-Language") != string(c.want) {
				t.Errorf("langOf = %s (Content-Language %q), want %s", got, w.Header().Get("Content-Language"), c.want)
			}
		})
	}
}

func TestABookingRendersItsReasonAndDetailsByCode(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	moscow := time.FixedZone("+03:00", 3*60*60)
	b := bookings.Booking{ID: "b1", Status: sagas.StatusCancelled, Region: "77", Source: sagas.SourcePortal,
		Slot:       sagas.SlotSnapshot{Start: at.Add(2 * time.Hour).In(moscow), End: at.Add(3 * time.Hour).In(moscow)},
		ReasonCode: "cancelled_by_clinic_clinic_closed", Reason: "The clinic cancelled the appointment: the clinic is closed.",
		CancelledBy: sagas.CancelledByClinic,
		Timeline: []sagas.TimelineEntry{
			{At: at, Status: sagas.StatusPending, Code: sagas.CodeRequested, Detail: "Request received; sending it to the clinic."},
			{At: at, Status: sagas.StatusConfirmed, Code: sagas.CodeMovedByClinic, Source: sagas.SourceClinic, PrevStart: at, PrevEnd: at.Add(time.Hour)},
			{At: at, Status: sagas.StatusRejected, Code: sagas.CodeClinicNote, Note: "позвоните", Source: sagas.SourceOperator},
			{At: at, Status: sagas.StatusRejected, Detail: "A sentence a newer version wrote."},
		}}
	ru, en := toBookingJSON(b, sagas.LangRU), toBookingJSON(b, sagas.LangEN)
	if ru.Reason != "Клиника отменила приём: клиника закрыта." || en.Reason != b.Reason || ru.ReasonCode != b.ReasonCode {
		t.Errorf("reason ru %q, en %q", ru.Reason, en.Reason)
	}
	if ru.Timeline[0].Detail != "Запрос получен; передаём его в клинику." || ru.Timeline[0].Source != sagas.SourcePortal {
		t.Errorf("first entry %+v", ru.Timeline[0])
	}
	if mv := ru.Timeline[1]; mv.PreviousStart == nil || !mv.PreviousStart.Equal(at) || mv.Source != sagas.SourceClinic {
		t.Errorf("the move %+v, want the previous time and the clinic as source", mv)
	} else if _, off := mv.PreviousStart.Zone(); off != 3*60*60 {
		t.Errorf("the previous time %s is not in the slot's offset (+03:00), as the slot is shown", mv.PreviousStart)
	}
	if ru.Timeline[2].Detail != "Примечание клиники: позвоните" || en.Timeline[2].Detail != "Note from the clinic: позвоните" {
		t.Errorf("the note %q / %q", ru.Timeline[2].Detail, en.Timeline[2].Detail)
	}
	if ru.Timeline[3].Detail != "A sentence a newer version wrote." {
		t.Errorf("an unknown code falls back to the stored sentence: %q", ru.Timeline[3].Detail)
	}
}
