package conformance

import (
	"net/http"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts/misv1"
)

var holdRequirements = []requirement{
	{"hold returns a pending appointment with its hold key and expiry", holdPending},
	{"held slot is no longer offered as free", holdTakesSlot},
	{"repeated hold with the same key returns the same appointment", holdRepeat},
	{"hold on a taken slot is refused with slot-taken", holdTaken},
	{"idempotency key reused for another slot is refused with 422", holdKeyReuse},
	{"hold without an Idempotency-Key is refused as invalid", holdNoKey},
	{"hold without a slot parameter is refused as invalid", holdNoSlot},
	{"hold on an unknown slot is answered 404", holdUnknownSlot},
}

func holdPending(t *testing.T, c *client) {
	s := c.freeSlot(t)
	key := c.key()
	a := decode[misv1.Appointment](t, c.hold(t, s.ID, key), http.StatusOK, "hold")
	c.releaseLater(t, a.ID)
	if a.ResourceType != "Appointment" || a.ID == "" {
		t.Fatalf("hold answered %q with id %q, want an Appointment with an id", a.ResourceType, a.ID)
	}
	if a.Status != misv1.StatusPending {
		t.Errorf("status %q, want %q", a.Status, misv1.StatusPending)
	}
	if len(a.Slot) != 1 || a.Slot[0].Reference != "Slot/"+s.ID {
		t.Errorf("slot %+v, want Slot/%s", a.Slot, s.ID)
	}
	if holdKey(a) != key {
		t.Errorf("identifier %s is %q, want the hold's Idempotency-Key %q", misv1.IdempotencyKeySystem, holdKey(a), key)
	}
	exp, err := time.Parse(time.RFC3339, holdExpires(a))
	if err != nil {
		t.Errorf("extension %s is %q, want an RFC 3339 instant", misv1.HoldExpiresExtension, holdExpires(a))
	} else if d := time.Until(exp); d < -time.Minute || d > 24*time.Hour {
		t.Logf("hold expires in %s; check the MIS clock", d)
	}
}

func holdKey(a misv1.Appointment) string {
	for _, id := range a.Identifier {
		if id.System == misv1.IdempotencyKeySystem {
			return id.Value
		}
	}
	return ""
}

func holdExpires(a misv1.Appointment) string {
	for _, e := range a.Extension {
		if e.URL == misv1.HoldExpiresExtension {
			return e.ValueInstant
		}
	}
	return ""
}

func holdTakesSlot(t *testing.T, c *client) {
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

func holdRepeat(t *testing.T, c *client) {
	s := c.freeSlot(t)
	key := c.key()
	first := decode[misv1.Appointment](t, c.hold(t, s.ID, key), http.StatusOK, "hold")
	c.releaseLater(t, first.ID)
	again := decode[misv1.Appointment](t, c.hold(t, s.ID, key), http.StatusOK, "repeated hold")
	if again.ID != first.ID || again.Status != first.Status {
		t.Errorf("repeat gave %s (%s), first gave %s (%s)", again.ID, again.Status, first.ID, first.Status)
	}
}

func holdTaken(t *testing.T, c *client) {
	s, _ := c.held(t)
	refusal(t, c.hold(t, s.ID, c.key()), http.StatusConflict, misv1.RefusalSlotTaken, "hold on a held slot")
}

func holdKeyReuse(t *testing.T, c *client) {
	_, a := c.held(t)
	other := c.freeSlot(t)
	r := c.hold(t, other.ID, holdKey(a))
	if r.status == http.StatusOK {
		if b := decode[misv1.Appointment](t, r, http.StatusOK, "hold"); b.ID != a.ID {
			c.releaseLater(t, b.ID)
		}
	}
	refusal(t, r, http.StatusUnprocessableEntity, "", "hold on another slot with a used key")
}

func holdNoKey(t *testing.T, c *client) {
	s := c.freeSlot(t)
	r := c.call(t, http.MethodPost, "/Appointment/$hold", "", c.holdBody(s.ID))
	if r.status == http.StatusOK {
		c.releaseLater(t, decode[misv1.Appointment](t, r, http.StatusOK, "hold").ID)
	}
	refusal(t, r, http.StatusBadRequest, "", "hold without Idempotency-Key")
}

func holdNoSlot(t *testing.T, c *client) {
	body := c.holdBody("x")
	body.Parameter = body.Parameter[1:]
	refusal(t, c.call(t, http.MethodPost, "/Appointment/$hold", c.key(), body),
		http.StatusBadRequest, "", "hold without a slot")
}

func holdUnknownSlot(t *testing.T, c *client) {
	refusal(t, c.hold(t, "conformance-no-such-slot", c.key()), http.StatusNotFound, "", "hold on an unknown slot")
}
