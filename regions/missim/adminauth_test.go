package missim_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fedhealth/federation/regions/missim"
)

const adminToken = "admin-token-0123456789"

func TestAdminEndpointsNeedTheAdminTokenWhenOneIsSet(t *testing.T) {
	s := newSim(t, missim.Config{Region: "77", BearerToken: "contract-token", AdminToken: adminToken})
	for _, tc := range []struct {
		name, auth string
		want       int
	}{
		{"a call without a token is unauthorized", "", http.StatusUnauthorized},
		{"a call with a wrong token is unauthorized", "Bearer not-the-admin-token", http.StatusUnauthorized},
		{"the contract's token does not open admin", "Bearer contract-token", http.StatusUnauthorized},
		{"the token without the Bearer scheme is unauthorized", adminToken, http.StatusUnauthorized},
		{"the admin token opens admin", "Bearer " + adminToken, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, call := range []struct{ method, path, body string }{
				{http.MethodGet, "/admin/appointments", ""},
				{http.MethodGet, "/admin/faults", ""},
				{http.MethodPut, "/admin/faults", `{"latency_ms":1}`},
			} {
				req, _ := http.NewRequest(call.method, s.url+call.path, strings.NewReader(call.body))
				if tc.auth != "" {
					req.Header.Set("Authorization", tc.auth)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var p struct {
					Status int    `json:"status"`
					Title  string `json:"title"`
				}
				_ = json.NewDecoder(resp.Body).Decode(&p)
				resp.Body.Close()
				if resp.StatusCode != tc.want {
					t.Errorf("%s %s: %d, want %d", call.method, call.path, resp.StatusCode, tc.want)
				}
				if tc.want == http.StatusUnauthorized && (resp.Header.Get("Content-Type") != "application/problem+json" ||
					p.Status != 401 || resp.Header.Get("WWW-Authenticate") == "") {
					t.Errorf("%s %s: %q %+v, want a 401 problem with a challenge", call.method, call.path, resp.Header.Get("Content-Type"), p)
				}
			}
		})
	}
	if f := s.Faults(); f.LatencyMS != 1 {
		t.Errorf("faults %+v: only the call with the admin token should have set them", f)
	}
}

func TestAdminWithoutATokenAnswersOnlyLoopbackConnections(t *testing.T) {
	srv, err := missim.New(missim.Config{Region: "77"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		local net.Addr
		want  int
	}{
		{"a connection on 127.0.0.1 is served", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9077}, http.StatusOK},
		{"a connection on ::1 is served", &net.TCPAddr{IP: net.IPv6loopback, Port: 9077}, http.StatusOK},
		{"a connection on a network address is told there is nothing", &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 9077}, http.StatusNotFound},
		{"a request without a connection is told there is nothing", nil, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/admin/faults", nil)
			if tc.local != nil {
				req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, tc.local))
			}
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("GET /admin/faults: %d, want %d", rec.Code, tc.want)
			}
		})
	}
}

func TestAShortAdminTokenIsRefused(t *testing.T) {
	if _, err := missim.New(missim.Config{Region: "77", AdminToken: "short"}, nil); err == nil {
		t.Fatal("New accepted a 5-character admin token")
	}
}
