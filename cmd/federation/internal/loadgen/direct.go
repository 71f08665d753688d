package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts/misv2"
)

// directMode sends hold+book pairs straight to each region's MIS: the
// same work without the broker, its store or Kafka.
type directMode struct {
	cfg    Config
	client *http.Client
	run    string
}

// fetchSlots is the fetchFunc of one region's MIS.
func (m *directMode) fetchSlots(region string) fetchFunc {
	base := m.cfg.MIS[region]
	return func(ctx context.Context, from, to time.Time) ([]slotRef, error) {
		q := url.Values{"status": {"free"}, "_count": {strconv.Itoa(pageLimit)}, "start": {"ge" + ymd(from), "le" + ymd(to)}}
		var b misv2.Bundle
		if err := call(ctx, m.client, "GET /Slot", http.MethodGet, base+"/Slot?"+q.Encode(), m.header(""), nil, &b); err != nil {
			return nil, err
		}
		var refs []slotRef
		for _, e := range b.Entry {
			var s misv2.Slot
			if e.Search == nil || e.Search.Mode != "match" || json.Unmarshal(e.Resource, &s) != nil {
				continue
			}
			start, err := time.Parse(time.RFC3339, s.Start)
			if err != nil {
				return nil, fmt.Errorf("slot %s: start %q: %w", s.ID, s.Start, err)
			}
			end, _ := time.Parse(time.RFC3339, s.End) // only the citizens' guards need it, and direct mode has no citizens
			refs = append(refs, slotRef{id: s.ID, start: start, end: end})
		}
		return refs, nil
	}
}

func (m *directMode) header(key string) http.Header {
	h := http.Header{"Content-Type": {misv2.ContentType}, "Accept": {misv2.ContentType}}
	if key != "" {
		h.Set(misv2.HeaderIdempotencyKey, key)
	}
	return h
}

// book holds the slot for a synthetic patient and books the hold. A
// refusal is the outcome "rejected", as the saga would report it.
func (m *directMode) book(ctx context.Context, j job) (string, error) {
	base := m.cfg.MIS[j.region]
	citizen := citizenID(m.run, j.citizen)
	body, err := json.Marshal(misv2.Parameters{ResourceType: "Parameters", Parameter: []misv2.Parameter{
		{Name: "slot", ValueReference: &misv2.Reference{Reference: "Slot/" + j.slot}},
		{Name: "patient", ValueIdentifier: &misv2.Identifier{System: misv2.SNILSSystem, Value: auth.SyntheticSNILS(citizen)}},
		{Name: "patient", ValueIdentifier: &misv2.Identifier{System: misv2.OMSSystem, Value: auth.SyntheticOMS(citizen)}},
	}})
	if err != nil {
		return "", err
	}
	key := fmt.Sprintf("lg-%s-%d", m.run, j.index)
	var a misv2.Appointment
	if err := call(ctx, m.client, "$hold", http.MethodPost, base+"/Appointment/$hold", m.header(key+"-hold"), body, &a); err != nil {
		return refusal(err)
	}
	if err := call(ctx, m.client, "$book", http.MethodPost, base+"/Appointment/"+a.ID+"/$book", m.header(key+"-book"), nil, &a); err != nil {
		return refusal(err)
	}
	return OutcomeConfirmed, nil
}

// refusal turns the contract's business refusals into the outcome
// "rejected"; anything else stays an error.
func refusal(err error) (string, error) {
	var se *statusError
	if errors.As(err, &se) {
		switch se.code {
		case misv2.RefusalSlotTaken, misv2.RefusalHoldExpired, misv2.RefusalNotAttached, misv2.RefusalReferralRequired:
			return OutcomeRejected, nil
		}
	}
	return "", err
}
