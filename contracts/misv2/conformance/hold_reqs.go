package conformance

import (
	"net/http"
	"time"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
)

var holdRequirements = []requirement{
	{id: "FHIR-HOLD-01", title: "Hold returns a pending appointment with its hold key and expiry", run: holdPending},
	{id: "FHIR-HOLD-02", title: "Held slot is no longer offered as free", run: holdTakesSlot},
	{id: "FHIR-HOLD-03", title: "Repeated hold with the same key returns the same appointment", run: holdRepeat},
	{id: "FHIR-HOLD-04", title: "Hold on a taken slot is refused with slot-taken", run: holdTaken},
	{id: "FHIR-HOLD-05", title: "Idempotency key reused for another slot is refused with 422", run: holdKeyReuse},
	{id: "FHIR-HOLD-06", title: "Hold without an Idempotency-Key is refused as invalid", run: holdNoKey},
	{id: "FHIR-HOLD-07", title: "Hold without a slot parameter is refused as invalid", run: holdNoSlot},
	{id: "FHIR-HOLD-08", title: "Hold on an unknown slot is answered 404", run: holdUnknownSlot},
}

func holdPending(t kit.T, c *client) {
	s := c.freeSlot(t)
	key := c.key()
	a := decode[misv2.Appointment](t, c.hold(t, s.ID, key), http.StatusOK, "hold")
	c.releaseLater(t, a.ID)
	if a.ResourceType != "Appointment" || a.ID == "" {
		t.Fatalf("hold answered %q with id %q, want an Appointment with an id", a.ResourceType, a.ID)
	}
	if a.Status != misv2.StatusPending {
		t.Errorf("status %q, want %q", a.Status, misv2.StatusPending)
	}
	if len(a.Slot) != 1 || a.Slot[0].Reference != "Slot/"+s.ID {
		t.Errorf("slot %+v, want Slot/%s", a.Slot, s.ID)
	}
	if holdKey(a) != key {
		t.Errorf("identifier %s is %q, want the hold's Idempotency-Key %q", misv2.IdempotencyKeySystem, holdKey(a), key)
	}
	exp, err := time.Parse(time.RFC3339, holdExpires(a))
	if err != nil {
		t.Errorf("extension %s is %q, want an RFC 3339 instant", misv2.HoldExpiresExtension, holdExpires(a))
	} else if d := time.Until(exp); d < -time.Minute || d > 24*time.Hour {
		t.Logf("hold expires in %s; check the MIS clock", d)
	}
}

func holdKey(a misv2.Appointment) string {
	for _, id := range a.Identifier {
		if id.System == misv2.IdempotencyKeySystem {
			return id.Value
		}
	}
	return ""
}

func holdExpires(a misv2.Appointment) string {
	for _, e := range a.Extension {
		if e.URL == misv2.HoldExpiresExtension {
			return e.ValueInstant
		}
	}
	return ""
}

func holdTakesSlot(t kit.T, c *client) {
	s, _ := c.held(t)
	if got := c.slotByID(t, s.ID); got.Status != "busy" {
		t.Errorf("held slot %s reads with status %q, want busy", s.ID, got.Status)
	}
	day := s.Start[:len(time.DateOnly)]
	res := c.search(t, "status=free&_count=1000&start=ge"+day+"&start=le"+day)
	for _, got := range res.slots {
		if got.ID == s.ID {
			t.Errorf("held slot %s is still offered as free", s.ID)
		}
	}
}

func holdRepeat(t kit.T, c *client) {
	s := c.freeSlot(t)
	key := c.key()
	first := decode[misv2.Appointment](t, c.hold(t, s.ID, key), http.StatusOK, "hold")
	c.releaseLater(t, first.ID)
	again := decode[misv2.Appointment](t, c.hold(t, s.ID, key), http.StatusOK, "repeated hold")
	if again.ID != first.ID || again.Status != first.Status {
		t.Errorf("repeat gave %s (%s), first gave %s (%s)", again.ID, again.Status, first.ID, first.Status)
	}
}

func holdTaken(t kit.T, c *client) {
	s, _ := c.held(t)
	refusal(t, c.hold(t, s.ID, c.key()), http.StatusConflict, misv2.RefusalSlotTaken, "hold on a held slot")
}

func holdKeyReuse(t kit.T, c *client) {
	_, a := c.held(t)
	other := c.freeSlot(t)
	r := c.hold(t, other.ID, holdKey(a))
	if r.status == http.StatusOK {
		if b := decode[misv2.Appointment](t, r, http.StatusOK, "hold"); b.ID != a.ID {
			c.releaseLater(t, b.ID)
		}
	}
	refusal(t, r, http.StatusUnprocessableEntity, "", "hold on another slot with a used key")
}

func holdNoKey(t kit.T, c *client) {
	s := c.freeSlot(t)
	r := c.callOffContract(t, http.MethodPost, "/Appointment/$hold", "", c.holdBody(s.ID))
	if r.status == http.StatusOK {
		c.releaseLater(t, decode[misv2.Appointment](t, r, http.StatusOK, "hold").ID)
	}
	refusal(t, r, http.StatusBadRequest, "", "hold without Idempotency-Key")
}

func holdNoSlot(t kit.T, c *client) {
	body := c.holdBody("x")
	body.Parameter = body.Parameter[1:]
	refusal(t, c.callOffContract(t, http.MethodPost, "/Appointment/$hold", c.key(), body),
		http.StatusBadRequest, "", "hold without a slot")
}

func holdUnknownSlot(t kit.T, c *client) {
	refusal(t, c.hold(t, "conformance-no-such-slot", c.key()), http.StatusNotFound, "", "hold on an unknown slot")
}
