package api

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/audit"
)

func TestAnOperatorSeesTheRefusedCallbacksOfTheirOwnRegionOnly(t *testing.T) {
	a := newWholeAPI(t)
	ctx := t.Context()
	// The last refusal two hours ago, one more a few days before (in the
	// total, not the last 24 hours).
	t0 := time.Now().UTC().Add(-4 * time.Hour).Truncate(time.Second)
	for _, r := range []struct {
		region, reason string
		at             time.Time
	}{
		{"78", "bad_signature", t0.Add(-72 * time.Hour)}, {"78", "bad_signature", t0.Add(time.Minute)}, {"78", "stale_timestamp", t0.Add(2 * time.Hour)},
		{"16", "bad_signature", t0.Add(3 * time.Hour)},
	} {
		if err := a.status.AddCallbackRejection(ctx, r.region, r.reason, r.at); err != nil {
			t.Fatal(err)
		}
	}
	read := func(token string) (answer, operatorRegionJSON) {
		r := a.call(t, token, http.MethodGet, "/api/v1/operator/region", "")
		var v operatorRegionJSON
		if r.status == http.StatusOK {
			if err := json.Unmarshal(r.body, &v); err != nil {
				t.Fatal(err)
			}
		}
		return r, v
	}

	r, got := read(a.operator(t, "op1", "78"))
	rc := got.RefusedCallbacks
	if r.status != http.StatusOK || got.Region != "78" || rc.Total != 3 || rc.Last24h != 2 || rc.LastAt == nil || !rc.LastAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("region 78's operator: %d %s, want 3 refused, 2 in the last 24 hours, the last at %s", r.status, r.body, t0.Add(2*time.Hour))
	}
	want := []refusedReasonJSON{{"bad_signature", 2, 1, t0.Add(time.Minute)}, {"stale_timestamp", 1, 1, t0.Add(2 * time.Hour)}}
	if len(rc.ByReason) != len(want) {
		t.Fatalf("by reason %+v, want %+v", rc.ByReason, want)
	}
	for i, w := range want {
		if g := rc.ByReason[i]; g.Reason != w.Reason || g.Count != w.Count || g.Last24h != w.Last24h || !g.LastAt.Equal(w.LastAt) {
			t.Errorf("reason %d: %+v, want %+v", i, g, w)
		}
	}

	// A region with no refusal shows none, not another region's.
	r, got = read(a.operator(t, "op2", wholeFeedRegion))
	if r.status != http.StatusOK || got.Region != wholeFeedRegion || got.RefusedCallbacks.Total != 0 ||
		got.RefusedCallbacks.LastAt != nil || len(got.RefusedCallbacks.ByReason) != 0 {
		t.Errorf("region 27's operator: %d %s, want nothing refused", r.status, r.body)
	}
	// There is no asking for another region, and the view is for operators.
	if r := a.call(t, a.operator(t, "op1", "78"), http.MethodGet, "/api/v1/operator/region?region=16", ""); r.status != http.StatusBadRequest || r.code != "invalid-request" {
		t.Errorf("asking for region 16: %d %s, want 400", r.status, r.body)
	}
	if r := a.call(t, a.citizen(t, "region-ivan"), http.MethodGet, "/api/v1/operator/region", ""); r.status != http.StatusForbidden {
		t.Errorf("a citizen: %d %s, want 403", r.status, r.body)
	}
	if r := a.call(t, "", http.MethodGet, "/api/v1/operator/region", ""); r.status != http.StatusUnauthorized {
		t.Errorf("no token: %d %s, want 401", r.status, r.body)
	}
	recs, err := a.trail.List(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	for _, rec := range recs {
		if rec.Action == audit.OperatorRegionRead {
			reads++
		}
	}
	if reads < 3 {
		t.Errorf("%d reads of the region view in the audit trail, want every operator's (3)", reads)
	}
}
