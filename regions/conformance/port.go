package conformance

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/fedhealth/federation/contracts"
	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/regions/mishttp"
)

// timedMIS times each port call for the latency table ("port Hold").
type timedMIS struct {
	mis contracts.MIS
	rec *kit.Recorder
}

func (m timedMIS) SearchSlots(ctx context.Context, q contracts.SlotQuery) ([]contracts.Slot, error) {
	defer m.rec.Start("port SearchSlots")()
	return m.mis.SearchSlots(ctx, q)
}

func (m timedMIS) ReadSlot(ctx context.Context, id string) (contracts.Slot, error) {
	defer m.rec.Start("port ReadSlot")()
	return m.mis.ReadSlot(ctx, id)
}

func (m timedMIS) Hold(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	defer m.rec.Start("port Hold")()
	return m.mis.Hold(ctx, req)
}

func (m timedMIS) Book(ctx context.Context, req contracts.BookRequest) (contracts.Appointment, error) {
	defer m.rec.Start("port Book")()
	return m.mis.Book(ctx, req)
}

func (m timedMIS) Cancel(ctx context.Context, id, key string) (contracts.Appointment, error) {
	defer m.rec.Start("port Cancel")()
	return m.mis.Cancel(ctx, id, key)
}

func (m timedMIS) FindHold(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	defer m.rec.Start("port FindHold")()
	return m.mis.FindHold(ctx, req)
}

// port drives an MIS through its adapter, as the broker's sagas do.
type port struct {
	mis     contracts.MIS
	loc     *time.Location
	patient contracts.Patient
	run     string // distinguishes this run's step keys
	seq     atomic.Int64
}

// rig is what the requirements of a style that POSTs to one endpoint
// (soap, jsonrpc) share: the broker's adapter behind the port, the raw
// wire for what the adapter hides, and the region's zone.
type rig struct {
	t    Target
	port *port
	wire *rawClient
	loc  *time.Location
}

func newRig(t Target, adapter contracts.MIS) (rig, error) {
	hc, err := t.httpClient()
	if err != nil {
		return rig{}, err
	}
	loc, _ := time.LoadLocation(t.Region.TimeZone) // loaded in withDefaults
	return rig{t: t, port: newPort(adapter, t.Recorder, loc, t.Patient), wire: &rawClient{hc: hc, token: t.BearerToken, rec: t.Recorder}, loc: loc}, nil
}

// endpoint is the target as the soap and jsonrpc adapters are configured.
func (t Target) endpoint() mishttp.EndpointConfig {
	return mishttp.EndpointConfig{Endpoint: t.URL, BearerToken: t.BearerToken, TLS: t.TLS, CallTimeout: t.Timeout}
}

func newPort(mis contracts.MIS, rec *kit.Recorder, loc *time.Location, p contracts.Patient) *port {
	return &port{mis: timedMIS{mis, rec}, loc: loc, patient: p, run: runID()}
}

func runID() string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return string(b)
}

// key is a fresh step key, unique across runs.
func (p *port) key() string {
	return "conformance-" + p.run + "-" + strconv.FormatInt(p.seq.Add(1), 10)
}

// freeSlots searches free slots over the next two weeks.
func (p *port) freeSlots(t kit.T) []contracts.Slot {
	t.Helper()
	today := time.Now().In(p.loc)
	slots, err := p.mis.SearchSlots(t.Context(), contracts.SlotQuery{From: today, To: today.AddDate(0, 0, 14), Limit: 50})
	if err != nil {
		t.Fatalf("search through the adapter: %v", err)
	}
	if len(slots) == 0 {
		t.Fatal("search through the adapter found no free slot in the next two weeks: the kit needs free slots")
	}
	return slots
}

// freeSlot picks one of the first free slots at random, so two runs
// against one system rarely reach for the same slot.
func (p *port) freeSlot(t kit.T) contracts.Slot {
	t.Helper()
	s := p.freeSlots(t)
	return s[rand.IntN(len(s))]
}

// held holds a free slot through the adapter and releases it when the
// requirement ends, so nothing is left behind at the MIS.
func (p *port) held(t kit.T) (contracts.HoldRequest, contracts.Appointment) {
	t.Helper()
	for range 5 {
		req := contracts.HoldRequest{SlotID: p.freeSlot(t).ID, Patient: p.patient, IdempotencyKey: p.key()}
		a, err := p.mis.Hold(t.Context(), req)
		if errors.Is(err, contracts.ErrSlotTaken) {
			continue // taken between search and hold
		}
		if err != nil {
			t.Fatalf("hold of slot %s through the adapter: %v", req.SlotID, err)
		}
		p.releaseLater(t, a.ID)
		return req, a
	}
	t.Fatal("five free slots in a row were taken before they could be held")
	return contracts.HoldRequest{}, contracts.Appointment{}
}

func (p *port) releaseLater(t kit.T, id string) {
	key := p.key()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = p.mis.Cancel(ctx, id, key)
	})
}

// checkOffset fails t unless v carries the region's UTC offset at v.
func checkOffset(t kit.T, loc *time.Location, where, v string) {
	t.Helper()
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.Errorf("%s: %q is not an RFC 3339 instant", where, v)
		return
	}
	_, got := at.Zone()
	if _, want := at.In(loc).Zone(); got != want {
		t.Errorf("%s: %s has offset %s, the region (%s) is at %s then", where, v,
			time.Duration(got)*time.Second, loc, time.Duration(want)*time.Second)
	}
}

// searchThroughAdapter is the search the broker makes: free slots, in
// order, each in the region's zone with its practitioner and facility.
func searchThroughAdapter(t kit.T, p *port) {
	slots := p.freeSlots(t)
	var prev time.Time
	for _, s := range slots {
		if !s.Free {
			t.Errorf("slot %s is offered though not free", s.ID)
		}
		if s.ID == "" || s.Practitioner.ID == "" || s.Facility.ID == "" || s.Specialty.Code == "" {
			t.Errorf("slot %+v lacks its id, practitioner, facility or specialty", s)
		}
		if !s.End.After(s.Start) {
			t.Errorf("slot %s ends (%s) before it starts (%s)", s.ID, s.End, s.Start)
		}
		if s.Start.Before(prev) {
			t.Errorf("slot %s starts %s, before the previous slot (%s)", s.ID, s.Start, prev)
		}
		prev = s.Start
	}
	got, err := p.mis.ReadSlot(t.Context(), slots[0].ID)
	if err != nil || got.ID != slots[0].ID || !got.Start.Equal(slots[0].Start) {
		t.Errorf("reading slot %s back through the adapter gave %+v, %v", slots[0].ID, got, err)
	}
}

// holdTwiceOneAppointment is the broker's retry: the same step repeated
// gives the same appointment, and the slot reads taken.
func holdTwiceOneAppointment(t kit.T, p *port) {
	req, a := p.held(t)
	again, err := p.mis.Hold(t.Context(), req)
	if err != nil || again.ID != a.ID {
		t.Errorf("the hold repeated with its key gave %q, %v; want the same appointment %q", again.ID, err, a.ID)
	}
	found, err := p.mis.FindHold(t.Context(), req)
	if err != nil || found.ID != a.ID {
		t.Errorf("FindHold gave %q, %v; want %q", found.ID, err, a.ID)
	}
}

// bookAndCancel is the booking saga and a cancellation through the
// adapter: held, booked, the slot taken, cancelled, the slot free again.
func bookAndCancel(t kit.T, p *port) {
	req, a := p.held(t)
	if s, err := p.mis.ReadSlot(t.Context(), req.SlotID); err == nil && s.Free {
		t.Errorf("slot %s still reads free after it was held (appointment %s)", req.SlotID, a.ID)
	}
	b, err := p.mis.Book(t.Context(), contracts.BookRequest{AppointmentID: a.ID, Hold: req, IdempotencyKey: p.key()})
	if err != nil || b.Status != contracts.AppointmentBooked {
		t.Fatalf("book of %s through the adapter gave %+v, %v; want booked", a.ID, b, err)
	}
	c, err := p.mis.Cancel(t.Context(), a.ID, p.key())
	if err != nil || c.Status != contracts.AppointmentCancelled {
		t.Fatalf("cancel of %s through the adapter gave %+v, %v; want cancelled", a.ID, c, err)
	}
	if c2, err := p.mis.Cancel(t.Context(), a.ID, p.key()); err != nil || c2.Status != contracts.AppointmentCancelled {
		t.Errorf("cancelling %s again gave %+v, %v; want cancelled and nothing more", a.ID, c2, err)
	}
	if s, err := p.mis.ReadSlot(t.Context(), req.SlotID); err != nil || !s.Free {
		t.Errorf("slot %s after the cancel reads %+v, %v; want free", req.SlotID, s, err)
	}
}

// takenRefused is a second patient's hold on a held slot: ErrSlotTaken.
func takenRefused(t kit.T, p *port) {
	req, _ := p.held(t)
	other := syntheticPatient()
	a, err := p.mis.Hold(t.Context(), contracts.HoldRequest{SlotID: req.SlotID, Patient: other, IdempotencyKey: p.key()})
	if err == nil {
		p.releaseLater(t, a.ID)
	}
	if !errors.Is(err, contracts.ErrSlotTaken) {
		t.Errorf("a second hold of slot %s gave %v (appointment %q); want the slot-taken refusal", req.SlotID, err, a.ID)
	}
}
