package system_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/missim"
)

// TestWhatTheInternetSees runs one system and asks it what a hostile or
// careless caller would: strict bodies and searches, problems that quote
// nothing, identical not-founds, the headers of personal data, and the
// answers net/http writes by itself.
func TestWhatTheInternetSees(t *testing.T) {
	var logs lockedBuffer
	h := newHarness(t, 1, func(o *system.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	tok := h.token("edge")
	free := h.freeSlots(tok, "77", 1)[0]

	t.Run("a booking body is decoded strictly and nothing is stored", func(t *testing.T) {
		cases := []struct {
			name, body, contentType string
			status                  int
			code                    string
		}{
			{"a member name in another case", `{"Slot_ID":"` + free.ID + `"}`, "", 400, "invalid-request"},
			{"a duplicate member", `{"slot_id":"77:S-1","slot_id":"` + free.ID + `"}`, "", 400, "invalid-request"},
			{"data after the object", `{"slot_id":"` + free.ID + `"}[]`, "", 400, "invalid-request"},
			{"an array", `["` + free.ID + `"]`, "", 400, "invalid-request"},
			{"a body not declared JSON", `{"slot_id":"` + free.ID + `"}`, "text/plain", 415, "unsupported-media-type"},
			{"a form", `slot_id=` + free.ID, "application/x-www-form-urlencoded", 415, "unsupported-media-type"},
		}
		for i, c := range cases {
			hdr := map[string]string{"Idempotency-Key": fmt.Sprintf("strict-%d", i)}
			if c.contentType != "" {
				hdr["Content-Type"] = c.contentType
			}
			r := h.call(http.MethodPost, "/api/v1/bookings", tok, c.body, hdr)
			if r.status != c.status || problemCode(t, r) != c.code || strings.Contains(string(r.body), "Go ") {
				t.Errorf("%s: %d %s, want %d %s", c.name, r.status, r.body, c.status, c.code)
			}
		}
		if n := len(h.history(tok)); n != 0 {
			t.Errorf("history has %d bookings after refused bodies, want none", n)
		}
		if n := len(h.appointments("77")); n != 0 {
			t.Errorf("the clinic saw %d holds after refused bodies, want none", n)
		}
	})

	t.Run("search dates are dates within the horizon and filters are ids", func(t *testing.T) {
		today := time.Now().UTC()
		cases := []struct{ name, query, detail string }{
			{"a from far beyond the horizon, without to", "from=9999-12-31", "from must be at most 180 days ahead"},
			{"a to beyond the horizon", "from=" + ymd(today.AddDate(0, 0, 175)) + "&to=" + ymd(today.AddDate(0, 0, 189)), "to must be at most 180 days ahead"},
			{"a to before today", "to=2020-01-01", "to must be on or after from and today"},
			{"a specialty with spaces", "specialty=" + url.QueryEscape("x y"), "specialty must be an id"},
			{"a 65-character practitioner", "practitioner=" + strings.Repeat("p", 65), "practitioner must be an id"},
			{"markup as a facility", "facility=" + url.QueryEscape("<script>"), "facility must be an id"},
			{"a region given twice", "region=78", "Each search parameter may appear once."},
			{"a parameter the search does not take", "status=busy", "The search takes only"},
		}
		for _, c := range cases {
			r := h.call(http.MethodGet, "/api/v1/slots?region=77&"+c.query, tok, "", nil)
			var pr struct{ Code, Detail string }
			_ = json.Unmarshal(r.body, &pr)
			if r.status != http.StatusBadRequest || pr.Code != "invalid-request" || !strings.HasPrefix(pr.Detail, c.detail) {
				t.Errorf("%s: %d %s, want 400 invalid-request %q", c.name, r.status, r.body, c.detail)
			}
		}
		for _, q := range []string{"from=" + ymd(today.AddDate(0, 0, -2)), "from=" + ymd(today.AddDate(0, 0, 178)),
			"specialty=" + missim.SpecialtyTherapy + "&facility=urn:oid:1.2.643.5.1.13.13.12.2.77.1"} {
			if r := h.call(http.MethodGet, "/api/v1/slots?region=77&"+q, tok, "", nil); r.status != http.StatusOK {
				t.Errorf("%s: %d %s, want 200", q, r.status, r.body)
			}
		}
	})

	t.Run("a missing booking and another citizen's read the same", func(t *testing.T) {
		id := h.book(tok, free.ID)
		h.waitStatus(tok, id, 10*time.Second, "confirmed")
		other := h.token("edge-other")
		missing := "00000000-0000-4000-8000-000000000000"
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			suffix := map[string]string{http.MethodGet: "", http.MethodPost: "/cancel"}[method]
			foreign := h.call(method, "/api/v1/bookings/"+id+suffix, other, "", nil)
			absent := h.call(method, "/api/v1/bookings/"+missing+suffix, other, "", nil)
			if foreign.status != http.StatusNotFound || absent.status != http.StatusNotFound {
				t.Fatalf("%s: %d and %d, want 404 both", method, foreign.status, absent.status)
			}
			if a, b := withoutCorrelation(t, foreign), withoutCorrelation(t, absent); a != b {
				t.Errorf("%s: another's booking answers %s, a missing one %s: want the same bytes", method, a, b)
			}
		}
	})

	t.Run("a long id is not echoed", func(t *testing.T) {
		r := h.call(http.MethodGet, "/api/v1/bookings/"+strings.Repeat("X", 10_000), tok, "", nil)
		if r.status != http.StatusNotFound || strings.Contains(string(r.body), "XXXXXXXX") {
			t.Errorf("%d %.300s, want a 404 that does not quote the id", r.status, r.body)
		}
	})

	t.Run("personal data is never cached and nothing is sniffed", func(t *testing.T) {
		for _, path := range []string{"/api/v1/bookings", "/api/v1/slots?region=77&limit=1", "/api/v1/regions", "/api/v1/bookings/nope"} {
			r := h.call(http.MethodGet, path, tok, "", nil)
			if r.header.Get("Cache-Control") != "no-store" || r.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: Cache-Control %q, X-Content-Type-Options %q; want no-store, nosniff", path,
					r.header.Get("Cache-Control"), r.header.Get("X-Content-Type-Options"))
			}
		}
	})

	t.Run("a region's failure is told in fixed words; the log has the cause and the correlation id", func(t *testing.T) {
		h.faults("77", missim.Faults{Down: true})
		defer h.faults("77", missim.Faults{})
		r := h.call(http.MethodGet, "/api/v1/slots?region=77&limit=1", tok, "", map[string]string{"X-Correlation-ID": "edge-503"})
		var pr struct {
			Detail        string
			CorrelationID string `json:"correlation_id"`
		}
		_ = json.Unmarshal(r.body, &pr)
		want := "The medical information system of region 77 is unavailable; try again later."
		if r.status != http.StatusServiceUnavailable || pr.Detail != want || pr.CorrelationID != "edge-503" {
			t.Errorf("%d %s, want 503 %q with correlation_id edge-503", r.status, r.body, want)
		}
		for _, leak := range []string{"127.0.0.1", "http://", "Slot?"} {
			if strings.Contains(string(r.body), leak) {
				t.Errorf("the 503 shows %q: %s", leak, r.body)
			}
		}
		logged := false
		for _, l := range logs.lines() {
			if l["msg"] == "request failed" && l["correlation_id"] == "edge-503" && strings.Contains(fmt.Sprint(l["err"]), "77") {
				logged = true
			}
		}
		if !logged {
			t.Error("no log line with the correlation id and the cause")
		}
	})

	t.Run("the answers net/http writes itself are problems", func(t *testing.T) {
		addr := strings.TrimPrefix(h.sys.URL, "http://")
		for request, status := range map[string]int{
			"GET /api/v1/regions HTTP/1.1\r\n\r\n":                                                      400, // no Host
			"GET /api/v1/regions HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("p", 60<<10) + "\r\n\r\n": 431,
			"GET /api/v1/regions HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("p", 33<<10) + "\r\n\r\n": 431,
		} {
			resp := rawCall(t, addr, request)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != status || resp.Header.Get("Content-Type") != "application/problem+json" || !json.Valid(body) {
				t.Errorf("%.60q: %d %s %s, want %d problem+json", request, resp.StatusCode, resp.Header.Get("Content-Type"), body, status)
			}
		}
	})
}

func ymd(t time.Time) string { return t.Format(time.DateOnly) }

// withoutCorrelation is a problem's body without its correlation id, the
// one member that names the request.
func withoutCorrelation(t *testing.T, r response) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("not JSON: %s", r.body)
	}
	if m["correlation_id"] != r.header.Get("X-Correlation-ID") {
		t.Errorf("correlation_id %v, header %q: want the same", m["correlation_id"], r.header.Get("X-Correlation-ID"))
	}
	delete(m, "correlation_id")
	b, _ := json.Marshal(m)
	return string(b)
}

// rawCall writes request as it is on a new connection, as no Go client would.
func rawCall(t *testing.T, addr, request string) *http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%.60q: %v", request, err)
	}
	return resp
}
