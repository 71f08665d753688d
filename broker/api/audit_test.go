package api

import (
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

func TestEveryAuditedRouteIsARouteOfTheAPI(t *testing.T) {
	s := routedServer(t)
	for route, action := range auditedRoutes {
		method, pattern, _ := strings.Cut(route, " ")
		path := pathParam.ReplaceAllString(pattern, "00000000-0000-0000-0000-000000000000")
		rctx := chi.NewRouteContext()
		if !s.router.Match(rctx, method, path) || rctx.RoutePattern() != pattern {
			t.Errorf("%s (audited as %s) is not routed (matched %q): a renamed route would drop out of the audit trail",
				route, action, rctx.RoutePattern())
		}
	}
}

func TestABookingIdTheTrailCannotHoldIsNotCopiedIntoIt(t *testing.T) {
	cases := []struct {
		id   string
		want bool
	}{
		{"6f1c4d2a-7f0e-4c55-9a59-2b8f3c1e9d10", true},
		{"b1", true},
		{"", true},
		{strings.Repeat("x", 65), false},
		{"id with spaces", false},
		{"id\nwith a forged line", false},
		{"идентификатор", false},
	}
	for _, tc := range cases {
		if got := wellFormedID(tc.id); got != tc.want {
			t.Errorf("wellFormedID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}
