package web

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/contracts"
)

func TestEveryErrorOfTheServiceBecomesAPageWithItsOwnWords(t *testing.T) {
	for _, c := range []struct {
		name   string
		err    error
		status int
		key    string
	}{
		{"a taken slot says so", fmt.Errorf("slot: %w", contracts.ErrSlotTaken), http.StatusConflict, "err.taken"},
		{"an overlap names the rule", bookings.ErrOverlaps, http.StatusConflict, "err.overlaps"},
		{"a busy region is told apart from a down one", contracts.ErrRegionBusy, http.StatusServiceUnavailable, "err.busy"},
		{"a down region says what to do instead", fmt.Errorf("region 78: %w", contracts.ErrRegionUnavailable), http.StatusServiceUnavailable, "err.region"},
		{"a forged form is refused", errCSRF, http.StatusForbidden, "err.csrf"},
		{"the other role is refused", auth.ErrWrongRole, http.StatusForbidden, "err.role"},
		{"a bad input keeps the service's sentence", bookings.Invalid("dates are YYYY-MM-DD"), http.StatusBadRequest, "err.invalid"},
		{"anything else is internal, told nothing", fmt.Errorf("boom"), http.StatusInternalServerError, "err.internal"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, key, detail := explain(c.err)
			if status != c.status || key != c.key {
				t.Errorf("explain = %d %s, want %d %s", status, key, c.status, c.key)
			}
			if c.key == "err.invalid" && detail != "dates are YYYY-MM-DD" {
				t.Errorf("detail %q, want the service's sentence", detail)
			}
			if c.key == "err.internal" && detail != "" {
				t.Errorf("an internal error shows %q", detail)
			}
		})
	}
}
