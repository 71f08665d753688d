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
