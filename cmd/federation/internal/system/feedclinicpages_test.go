package system_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The operator's page offers the clinic's actions on a confirmed feed
// booking, one form each: a move in the region's own time, then a
// cancellation with one of the clinic's reasons, each reaching the
// citizen's history with source operator.
func TestTheOperatorsPageRecordsAMoveAndACancellationByTheClinic(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 0))
	citizen, op := h.token("feed-gleb"), h.operatorToken("op1", feedCode)
	id := h.book(citizen, h.feedSlots(citizen, 1)[0].ID)
	if r := h.operate(op, id, "confirm", `{"mis_appointment_id":"APT-41"}`); r.status != http.StatusOK {
		t.Fatalf("confirm: %d %s", r.status, r.body)
	}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrfOf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	page := func(method, path string, form url.Values) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, h.sys.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Accept-Language", "en")
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	_, signin := page("GET", "/signin", nil)
	csrf := csrfOf.FindStringSubmatch(signin)[1]
	if r, _ := page("POST", "/signin/operator", url.Values{"csrf": {csrf}, "operator_id": {"op1"}, "region": {feedCode}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("operator sign-in: %d", r.StatusCode)
	}
	r, queue := page("GET", "/operator", nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(queue, `data-confirmed="`+id+`"`) || !strings.Contains(queue, "Move the appointment") ||
		!strings.Contains(queue, "The clinic cancelled it") || !strings.Contains(queue, `value="clinic_closed"`) {
		t.Fatalf("the operator's page lacks the confirmed booking's actions: %d %s", r.StatusCode, queue)
	}
	csrf = csrfOf.FindStringSubmatch(queue)[1]

	loc, _ := time.LoadLocation("Asia/Vladivostok")
	newStart := time.Now().Add(72 * time.Hour).In(loc).Truncate(time.Minute)
	moveKey := regexp.MustCompile(`name="key" value="([^"]+-moved)"`).FindStringSubmatch(queue)
	if moveKey == nil {
		t.Fatal("the move form carries no key")
	}
	form := url.Values{"csrf": {csrf}, "status": {"moved"}, "start": {newStart.Format("2006-01-02T15:04")}, "key": {moveKey[1]}}
	// Sent twice, as a double click or a resubmit would: one move.
	for range 2 {
		if r, body := page("POST", "/operator/bookings/"+id+"/status", form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the move form: %d %s", r.StatusCode, body)
		}
	}
	v := h.until(citizen, id, "the page's move is in the history", func(v historyView) bool { return v.Slot.Start.Equal(newStart) })
	if last := v.Timeline[len(v.Timeline)-1]; last.Source != "operator" || last.PreviousStart == nil {
		t.Fatalf("the page's move reads %+v", last)
	}
	time.Sleep(time.Second) // a second move, were there one, would be applied by now
	v = h.until(citizen, id, "the history", func(historyView) bool { return true })
	moves := 0
	for _, e := range v.Timeline {
		if e.PreviousStart != nil {
			moves++
		}
	}
	if moves != 1 {
		t.Errorf("the move form sent twice with its key made %d moves, want 1", moves)
	}
	bad := url.Values{"csrf": {csrf}, "status": {"cancelled"}, "reason_code": {"closed_today"}}
	if r, _ := page("POST", "/operator/bookings/"+id+"/status", bad); r.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown reason on the page: %d, want 400", r.StatusCode)
	}
	form = url.Values{"csrf": {csrf}, "status": {"cancelled"}, "reason_code": {"practitioner_unavailable"}}
	if r, body := page("POST", "/operator/bookings/"+id+"/status", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the cancel form: %d %s", r.StatusCode, body)
	}
	v = h.until(citizen, id, "the page's cancellation is in the history", func(v historyView) bool { return v.Status == "cancelled" })
	if v.CancelledBy != "clinic" || v.ReasonCode != "cancelled_by_clinic_practitioner_unavailable" || v.Timeline[len(v.Timeline)-1].Source != "operator" {
		t.Fatalf("the page's cancellation reads %+v", v)
	}
	if _, queue := page("GET", "/operator", nil); strings.Contains(queue, `data-confirmed="`+id+`"`) {
		t.Error("a cancelled booking is still offered the clinic's actions")
	}
}
