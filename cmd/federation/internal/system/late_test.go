package system

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestBeforeTheAPIIsBuiltEveryPathAnswersTheStartingProblem(t *testing.T) {
	late := &lateHandler{}
	srv := httptest.NewServer(late)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/bookings")
	if err != nil {
		t.Fatal(err)
	}
	var pr struct {
		Code   string
		Status int
	}
	err = json.NewDecoder(resp.Body).Decode(&pr)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Content-Type") != "application/problem+json" ||
		err != nil || pr.Code != "starting" || pr.Status != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("%d %s %+v (%v) Retry-After %q, want a 503 starting problem with Retry-After", resp.StatusCode,
			resp.Header.Get("Content-Type"), pr, err, resp.Header.Get("Retry-After"))
	}
	late.set(http.NotFoundHandler())
	if resp, err := http.Get(srv.URL + "/x"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("after set: %v %v, want the real handler's 404", resp, err)
	}
}
