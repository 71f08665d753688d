package analytics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
	"github.com/google/uuid"
)

var day1 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func newStore(t *testing.T, open sqldbtest.Open) *analytics.Store {
	t.Helper()
	db, _ := open(t)
	st, err := analytics.NewStore(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// booking is the events of one booking's life, as the sagas write them.
type booking struct {
	region, specialty string
	at                time.Time
	outcome           string // confirmed, rejected, failed, or confirmed then cancelled
	latency, wait     time.Duration
}

func (b booking) events() []contracts.BookingEvent {
	id := "bk-" + uuid.NewString()
	requested := b.at
	slot := requested.Add(b.wait)
	if b.wait == 0 {
		slot = requested.Add(72 * time.Hour)
	}
	lat := b.latency
	if lat == 0 {
		lat = 800 * time.Millisecond
	}
	ev := func(status string, at time.Time, saga contracts.SagaKind) contracts.BookingEvent {
		return contracts.BookingEvent{Version: 1, EventID: uuid.NewString(), BookingID: id, Region: b.region, Status: status,
			Specialty: b.specialty, At: at, CorrelationID: "corr-" + id, Saga: saga, Source: "portal",
			RequestedAt: &requested, SlotStart: &slot}
	}
	out := []contracts.BookingEvent{ev("pending", requested, contracts.SagaBooking)}
	switch b.outcome {
	case "cancelled":
		out = append(out, ev("confirmed", requested.Add(lat), contracts.SagaBooking),
			ev("cancelling", requested.Add(time.Hour), contracts.SagaCancellation))
		c := ev("cancelled", requested.Add(time.Hour+time.Second), contracts.SagaCancellation)
		c.CancelledBy = "citizen"
		out = append(out, c)
	default:
		out = append(out, ev(b.outcome, requested.Add(lat), contracts.SagaBooking))
	}
	return out
}

// apply books n bookings like b and applies their events once each.
func apply(t *testing.T, st *analytics.Store, n int, b booking) {
	t.Helper()
	for range n {
		for _, ev := range b.events() {
			if _, err := st.Apply(context.Background(), 1, ev); err != nil {
				t.Fatalf("apply %+v: %v", ev, err)
			}
		}
	}
}

func on(day int) time.Time { return day1.AddDate(0, 0, day-1) }

func date(day int) string { return on(day).Format(time.DateOnly) }

func filter(from, to int, region string) analytics.Filter {
	return analytics.Filter{From: date(from), To: date(to), Region: region}
}

func service(t *testing.T, st *analytics.Store) *analytics.Service {
	t.Helper()
	s, err := analytics.NewService(analytics.Config{Store: st, Now: func() time.Time { return on(8) }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// figure finds a row's value (nil: suppressed or absent).
func figure(r *analytics.Report, table, day, region, measure string) (*float64, bool) {
	for _, tb := range r.Tables {
		if tb.Name != table {
			continue
		}
		for _, row := range tb.Rows {
			if row.Day == day && row.Region == region && row.Measure == measure {
				return row.Value, true
			}
		}
	}
	return nil, false
}

func describe(v *float64) string {
	if v == nil {
		return "suppressed"
	}
	return fmt.Sprint(*v)
}
