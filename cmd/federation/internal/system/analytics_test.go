package system_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	"github.com/google/uuid"
)

var analyticsEndpoints = []string{"/api/v1/analytics/overview", "/api/v1/analytics/regions/77", "/api/v1/analytics/waiting-times",
	"/api/v1/analytics/cancellations", "/api/v1/analytics/no-shows", "/api/v1/analytics/reschedules"}

// figures reads an analytics report and indexes its values by table,
// region and measure (over the whole period; suppressed: absent).
func (h *harness) figures(token, path string) map[string]float64 {
	h.t.Helper()
	var r analytics.Report
	h.mustJSON(h.call(http.MethodGet, path, token, "", nil), http.StatusOK, &r)
	out := map[string]float64{}
	for _, tb := range r.Tables {
		for _, row := range tb.Rows {
			if row.Value != nil && row.Day == "" && row.At == nil {
				out[tb.Name+"|"+row.Region+"|"+row.Specialty+"|"+row.Measure] = *row.Value
			}
		}
	}
	return out
}

// awaitFigures polls path until ok holds of its figures.
func (h *harness) awaitFigures(token, path string, ok func(map[string]float64) bool) map[string]float64 {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		f := h.figures(token, path)
		if ok(f) {
			return f
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s: figures %v never as wanted", path, f)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestAnalystsSeeTheBookingsCountedOnceAndRebuilt books and cancels through
// the API, reads the figures the read model's own consumer group counted
// from the events topic, delivers every event again, rebuilds, and checks
// the figures, the roles and that no personal data reached the tables.
func TestAnalystsSeeTheBookingsCountedOnceAndRebuilt(t *testing.T) {
	h := newHarness(t, 1, nil)
	citizen, analyst := h.token("analytics-citizen"), h.analystToken("a1")
	first := h.freeSlots(citizen, "77", 1)[0]
	var found struct{ Slots []slotView }
	h.mustJSON(h.call(http.MethodGet, "/api/v1/slots?region=77&limit=12&specialty="+first.Specialty, citizen, "", nil), http.StatusOK, &found)
	if len(found.Slots) < 12 {
		t.Fatalf("%d free slots of %s, want 12", len(found.Slots), first.Specialty)
	}
	ids := make([]string, 12)
	for i, s := range found.Slots {
		ids[i] = h.book(citizen, s.ID)
	}
	for _, id := range ids {
		h.waitStatus(citizen, id, 15*time.Second, "confirmed")
	}
	for i, id := range ids[:10] {
		if r := h.call(http.MethodPost, "/api/v1/bookings/"+id+"/cancel", citizen, "", map[string]string{"Idempotency-Key": fmt.Sprintf("an-cancel-%d", i)}); r.status != http.StatusAccepted {
			t.Fatalf("cancel: %d %s", r.status, r.body)
		}
	}
	for _, id := range ids[:10] {
		h.waitStatus(citizen, id, 15*time.Second, "cancelled")
	}

	overview := h.awaitFigures(analyst, "/api/v1/analytics/overview", func(f map[string]float64) bool { return f["outcomes|77||confirmed"] == 12 })
	if overview["outcomes|all||confirmed_share"] != 1 || overview["latency_seconds|77||p50"] == 0 {
		t.Errorf("overview: %v; want every booking confirmed and a median latency", overview)
	}
	cancels := h.awaitFigures(analyst, "/api/v1/analytics/cancellations", func(f map[string]float64) bool { return f["cancellations|77||cancelled_by_citizen"] == 10 })
	if cancels["cancellations|77||cancel_requested"] != 10 {
		t.Errorf("cancellations: %v, want 10 requested", cancels)
	}
	if w := h.figures(analyst, "/api/v1/analytics/waiting-times"); w["waiting_hours|77|"+first.Specialty+"|p50"] == 0 {
		t.Errorf("waiting times: %v, want the median of %s in region 77", w, first.Specialty)
	}

	// The citizen's search from today left a sample of the next free slot
	// (shown once ten are in: here, only its suppressed row).
	h.awaitRow(analyst, "/api/v1/analytics/waiting-times", "next_free_slot_hours", "77", first.Specialty)

	// Every event delivered again, then one new event per key (so in the
	// same partition, after the copies): once the new ones are counted,
	// so were the copies.
	pub := h.publisher()
	keys := map[string]bool{}
	for _, m := range h.topicMessages(contracts.TopicEvents) {
		ev, err := contracts.DecodeBookingEvent(m.Payload)
		if err != nil {
			t.Fatal(err)
		}
		h.publishKeyed(pub, ev.BookingID, m.Payload)
		keys[ev.BookingID] = true
	}
	for key := range keys {
		body, _ := json.Marshal(contracts.BookingEvent{Version: 1, EventID: uuid.NewString(), BookingID: key, Region: "99",
			Status: "visited", Specialty: "marker", At: time.Now().UTC(), Saga: contracts.SagaBooking})
		h.publishKeyed(pub, key, body)
	}
	h.awaitFigures(analyst, "/api/v1/analytics/no-shows", func(f map[string]float64) bool { return f["attendance|99||visited"] == 12 })
	if again := h.figures(analyst, "/api/v1/analytics/overview"); again["outcomes|77||confirmed"] != 12 || again["bookings_by_day|77||requested"] != overview["bookings_by_day|77||requested"] {
		t.Errorf("after every event came twice: %v, want the same figures as %v", again, overview)
	}

	// A rebuild empties the tables and re-reads the topic: the same figures.
	st, err := analytics.NewStore(context.Background(), h.sys.SQL, true, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if gen, err := st.Rebuild(context.Background()); err != nil || gen != 2 {
		t.Fatalf("rebuild: %d, %v", gen, err)
	}
	rebuilt := h.awaitFigures(analyst, "/api/v1/analytics/no-shows", func(f map[string]float64) bool { return f["attendance|99||visited"] == 12 })
	_ = rebuilt
	for _, path := range []string{"/api/v1/analytics/overview", "/api/v1/analytics/cancellations"} {
		want := overview
		if strings.HasSuffix(path, "cancellations") {
			want = cancels
		}
		got := h.awaitFigures(analyst, path, func(f map[string]float64) bool { return len(f) >= len(want) })
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s after the rebuild: %s = %v, want %v", path, k, got[k], v)
			}
		}
	}

	// The same figures as CSV.
	csvAnswer := h.call(http.MethodGet, "/api/v1/analytics/overview", analyst, "", map[string]string{"Accept": "text/csv"})
	if csvAnswer.status != http.StatusOK || !strings.HasPrefix(csvAnswer.header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(string(csvAnswer.body), "table,day,at,region,specialty,measure,value") {
		t.Errorf("CSV: %d %s %.80s", csvAnswer.status, csvAnswer.header.Get("Content-Type"), csvAnswer.body)
	}

	// Roles: citizens never see analytics; analysts never see citizens' data.
	for _, path := range analyticsEndpoints {
		if r := h.call(http.MethodGet, path, citizen, "", nil); r.status != http.StatusForbidden {
			t.Errorf("GET %s as a citizen: %d, want 403", path, r.status)
		}
	}
	for _, path := range []string{"/api/v1/bookings", "/api/v1/bookings/" + ids[0], "/api/v1/slots?region=77"} {
		if r := h.call(http.MethodGet, path, analyst, "", nil); r.status != http.StatusForbidden {
			t.Errorf("GET %s as an analyst: %d, want 403", path, r.status)
		}
	}
	if r := h.call(http.MethodGet, "/api/v1/analytics/overview?from=yesterday", analyst, "", nil); r.status != http.StatusBadRequest {
		t.Errorf("a malformed filter: %d, want 400", r.status)
	}
	h.assertNoPersonalData(ids)
}

// awaitRow polls path until its table has a row of region and specialty.
func (h *harness) awaitRow(token, path, table, region, specialty string) analytics.Row {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var r analytics.Report
		h.mustJSON(h.call(http.MethodGet, path, token, "", nil), http.StatusOK, &r)
		for _, tb := range r.Tables {
			for _, row := range tb.Rows {
				if tb.Name == table && row.Region == region && row.Specialty == specialty {
					return row
				}
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s: no %s row of %s/%s in %+v", path, table, region, specialty, r.Tables)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (h *harness) publishKeyed(pub *kafka.Publisher, key string, payload []byte) {
	h.t.Helper()
	m := message.NewMessage(uuid.NewString(), payload)
	m.Metadata.Set(kafka.KeyMetadata, key)
	if err := pub.Publish(h.opts.KafkaNamespace+contracts.TopicEvents, m); err != nil {
		h.t.Fatal(err)
	}
}

// assertNoPersonalData scans every text column of the analytics tables
// for the bookings' ids, the citizens' pseudonyms and subjects, and
// anything shaped like a SNILS or OMS number.
func (h *harness) assertNoPersonalData(bookingIDs []string) {
	h.t.Helper()
	ctx := context.Background()
	secrets := append([]string{"analytics-citizen"}, bookingIDs...)
	rows, err := h.sys.SQL.R.QueryContext(ctx, `SELECT DISTINCT citizen FROM bookings`)
	if err != nil {
		h.t.Fatal(err)
	}
	for rows.Next() {
		var c string
		_ = rows.Scan(&c)
		secrets = append(secrets, c)
	}
	rows.Close()
	rows, err = h.sys.SQL.R.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'analytics_%'`)
	if err != nil {
		h.t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	scanned := 0
	for _, table := range tables {
		rows, err := h.sys.SQL.R.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			h.t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals, ptrs := make([]any, len(cols)), make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				h.t.Fatal(err)
			}
			for i, v := range vals {
				s, ok := v.(string)
				if !ok {
					continue // counts and Unix nanoseconds
				}
				scanned++
				for _, secret := range secrets {
					if secret != "" && strings.Contains(s, secret) {
						h.t.Errorf("%s.%s holds %q", table, cols[i], s)
					}
				}
				// Event ids are random UUIDs whose digits may run long by chance.
				if audit.LooksLikeIdentifier(s) && !(table == "analytics_processed_events" && uuid.Validate(s) == nil) {
					h.t.Errorf("%s.%s holds something shaped like an identifier: %q", table, cols[i], s)
				}
			}
		}
		rows.Close()
	}
	if scanned < 50 {
		h.t.Errorf("scanned only %d values in %v", scanned, tables)
	}
}

// TestTheRegionReportShowsTheMISLatencyOfHoldsAndBookings books ten slots
// through the API and reads, on the region's report, the latency of the
// holds and bookings the broker made at the region's MIS, as the
// registry's call observer saw them and the recorder added them (within
// its 10 s interval).
func TestTheRegionReportShowsTheMISLatencyOfHoldsAndBookings(t *testing.T) {
	h := newHarness(t, 1, nil)
	citizen, analyst := h.token("mis-latency-citizen"), h.analystToken("a1")
	slots := h.freeSlots(citizen, "77", 10)
	ids := make([]string, len(slots))
	for i, s := range slots {
		ids[i] = h.book(citizen, s.ID)
	}
	for _, id := range ids {
		h.waitStatus(citizen, id, 15*time.Second, "confirmed")
	}
	mis := func() map[string]analytics.Row {
		var r analytics.Report
		h.mustJSON(h.call(http.MethodGet, "/api/v1/analytics/regions/77", analyst, "", nil), http.StatusOK, &r)
		out := map[string]analytics.Row{}
		for _, tb := range r.Tables {
			for _, row := range tb.Rows {
				if tb.Name == "mis_latency" {
					out[row.Operation+"|"+row.Measure] = row
				}
			}
		}
		return out
	}
	counted := func(rows map[string]analytics.Row, key string) float64 {
		if v := rows[key].Value; v != nil {
			return *v
		}
		return 0
	}
	var rows map[string]analytics.Row
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		rows = mis()
		if counted(rows, "hold|calls") >= 10 && counted(rows, "book|calls") >= 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("mis_latency %v: never 10 holds and 10 bookings", rows)
		}
	}
	for _, op := range []string{"hold", "book"} {
		if p50 := rows[op+"|p50"]; p50.Value == nil || *p50.Value <= 0 {
			t.Errorf("%s p50: %+v, want the bound of a bucket in ms", op, p50)
		}
		if failed := rows[op+"|failed_share"]; failed.Value == nil || *failed.Value != 0 {
			t.Errorf("%s failed share: %+v, want 0 from a healthy simulator", op, failed)
		}
	}
}
