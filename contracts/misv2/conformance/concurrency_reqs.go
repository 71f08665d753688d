package conformance

import (
	"encoding/json"
	"net/http"
	"sync"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
)

// racers is how many clients race for one slot.
const racers = 16

var concurrencyRequirements = []requirement{
	{id: "FHIR-CONC-01", title: "Concurrent holds on one slot: exactly one wins", run: concurrentHolds},
	{id: "FHIR-CONC-02", title: "Concurrent repeats of one hold create one appointment", run: concurrentRepeats},
}

// race sends n holds on slotID at once, with keys from keyOf.
func race(c *client, slotID string, n int, keyOf func(i int) string) ([]response, []error) {
	rs, errs := make([]response, n), make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			rs[i], errs[i] = c.send(http.MethodPost, "/Appointment/$hold", keyOf(i), c.holdBody(slotID))
		})
	}
	close(start)
	wg.Wait()
	return rs, errs
}

func concurrentHolds(t kit.T, c *client) {
	s := c.freeSlot(t)
	keys := make([]string, racers)
	for i := range keys {
		keys[i] = c.key()
	}
	rs, errs := race(c, s.ID, racers, func(i int) string { return keys[i] })
	wins := 0
	for i, r := range rs {
		if errs[i] != nil {
			t.Fatalf("the MIS did not answer: %v", errs[i])
		}
		c.checkSchema(t, r)
		if r.status == http.StatusOK {
			wins++
			c.releaseLater(t, decodeRaw[misv2.Appointment](t, r.body).ID)
			continue
		}
		refusal(t, r, http.StatusConflict, misv2.RefusalSlotTaken, "losing concurrent hold")
	}
	if wins != 1 {
		t.Errorf("%d of %d concurrent holds on slot %s won, want exactly 1", wins, racers, s.ID)
	}
}

func concurrentRepeats(t kit.T, c *client) {
	s := c.freeSlot(t)
	key := c.key()
	rs, errs := race(c, s.ID, racers/2, func(int) string { return key })
	ids := map[string]bool{}
	for i, r := range rs {
		if errs[i] != nil {
			t.Fatalf("the MIS did not answer: %v", errs[i])
		}
		c.checkSchema(t, r)
		if r.status == http.StatusConflict && decodeRaw[misv2.OperationOutcome](t, r.body).RefusalCode() == "" {
			continue // "the same key is in flight": allowed, the caller repeats
		}
		ids[decode[misv2.Appointment](t, r, http.StatusOK, "concurrent repeat").ID] = true
	}
	for id := range ids {
		c.releaseLater(t, id)
	}
	if len(ids) != 1 {
		t.Errorf("concurrent repeats of one hold answered with %d different appointments, want 1", len(ids))
	}
}

func decodeRaw[T any](t kit.T, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("undecodable resource: %v: %.300s", err, raw)
	}
	return v
}
