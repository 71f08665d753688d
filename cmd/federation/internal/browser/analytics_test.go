package browser

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The load of the analysts' tests: confirmedLoad bookings of one
// specialty in the fhir region today (a cell of at least 10, so its
// counts show), cancelledLoad of them then cancelled by their citizens (a
// cell from 1 to 9, which must stay hidden).
const (
	confirmedLoad = 12
	cancelledLoad = 3
)

// analyticsPages are every dashboard, by screenshot name.
var analyticsPages = []struct{ name, path string }{
	{"overview", "/analytics"},
	{"region", "/analytics/regions/" + fhirRegion},
	{"waiting-times", "/analytics/waiting-times"},
	{"cancellations", "/analytics/cancellations"},
	{"no-shows", "/analytics/no-shows"},
	{"reschedules", "/analytics/reschedules"},
}

var loadOnce sync.Once

// loadBookings books and cancels the analysts' load through the API, once,
// and waits until the read model shows it.
func loadBookings(t *testing.T) {
	t.Helper()
	if env.skip != "" {
		t.Skip(env.skip)
	}
	var err error
	loadOnce.Do(func() { err = bookLoad() })
	if err != nil {
		t.Fatal(err)
	}
}

func bookLoad() error {
	first := apiToken(`{"citizen_id":"an-0"}`)
	var found struct {
		Slots []struct{ ID, Specialty string }
	}
	if err := apiJSON("GET", "/api/v1/slots?region="+fhirRegion+"&limit=200", first, "", &found); err != nil {
		return err
	}
	bySpec := map[string][]string{}
	spec := ""
	for _, s := range found.Slots {
		bySpec[s.Specialty] = append(bySpec[s.Specialty], s.ID)
		if len(bySpec[s.Specialty]) > len(bySpec[spec]) {
			spec = s.Specialty
		}
	}
	if len(bySpec[spec]) < confirmedLoad {
		return fmt.Errorf("region %s offers at most %d slots of one specialty, want %d", fhirRegion, len(bySpec[spec]), confirmedLoad)
	}
	var wg sync.WaitGroup
	errs := make(chan error, confirmedLoad)
	for i := range confirmedLoad {
		wg.Go(func() { errs <- bookAndMaybeCancel(i, bySpec[spec][i]) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	// The read model is fed from Kafka: wait until it holds the cancels.
	analyst := apiToken(`{"analyst_id":"load-check"}`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var rep report
		if err := apiJSON("GET", "/api/v1/analytics/cancellations?region="+fhirRegion, analyst, "", &rep); err != nil {
			return err
		}
		if row, ok := rep.row("cancellations", fhirRegion, "cancelled_by_citizen"); ok && row.Suppressed {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the analytics do not show the load's cancellations after 20 s: %+v", rep)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func bookAndMaybeCancel(i int, slot string) error {
	token := apiToken(fmt.Sprintf(`{"citizen_id":"an-%d"}`, i))
	var b struct{ ID, Status string }
	key := map[string]string{"Idempotency-Key": fmt.Sprintf("analytics-load-%d", i)}
	if err := apiCall("POST", "/api/v1/bookings", token, `{"slot_id":"`+slot+`"}`, key, http.StatusAccepted, &b); err != nil {
		return err
	}
	if err := waitAPIStatus(token, b.ID, "confirmed"); err != nil {
		return err
	}
	if i >= cancelledLoad {
		return nil
	}
	key["Idempotency-Key"] += "-cancel"
	if err := apiCall("POST", "/api/v1/bookings/"+b.ID+"/cancel", token, "", key, http.StatusAccepted, nil); err != nil {
		return err
	}
	return waitAPIStatus(token, b.ID, "cancelled")
}

func waitAPIStatus(token, id, want string) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		var b struct{ Status string }
		if err := apiJSON("GET", "/api/v1/bookings/"+id+"?wait=2s", token, "", &b); err != nil {
			return err
		}
		if b.Status == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("booking %s is %s, want %s", id, b.Status, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// report is the analytics report as the API and the pages' JSON give it.
type report struct {
	Tables []struct {
		Name string
		Rows []reportRow
	}
}

type reportRow struct {
	Region, Measure, Specialty, Day string
	Value                           *float64
	Suppressed                      bool
}

func (r report) row(table, region, measure string) (reportRow, bool) {
	for _, t := range r.Tables {
		if t.Name != table {
			continue
		}
		for _, row := range t.Rows {
			if row.Region == region && row.Measure == measure {
				return row, true
			}
		}
	}
	return reportRow{}, false
}

func apiToken(body string) string {
	var out struct{ Token string }
	if err := apiCall("POST", "/api/v1/dev/token", "", body, nil, http.StatusOK, &out); err != nil {
		panic(err) // the dev issuer of the tests' own system: nothing to recover
	}
	return out.Token
}

func apiJSON(method, path, token, body string, v any) error {
	return apiCall(method, path, token, body, nil, http.StatusOK, v)
}

func apiCall(method, path, token, body string, header map[string]string, status int, v any) error {
	req, err := http.NewRequest(method, env.sys.URL+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, val := range header {
		req.Header.Set(k, val)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, status, b)
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(b, v)
}

// signInAnalyst signs a test analyst in through the demo's form.
func signInAnalyst(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	open(t, ctx, "/signin", "signin")
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#analyst_id"), id))
	click(t, ctx, `form[action="/signin/analyst"] button[type=submit]`, "analytics")
}

// cell is the text of the table's cell for region (its row's label
// starts with the code) and measure.
func cell(t *testing.T, ctx context.Context, table, region, measure string) (text string, hidden bool) {
	t.Helper()
	type found struct {
		Text   string
		Hidden bool
		Found  bool
	}
	out := get(t, ctx, chromedp.Evaluate[found](fmt.Sprintf(`(() => { for (const tr of document.querySelectorAll("#table-%s tbody tr")) {
		if (!tr.querySelector("th").textContent.startsWith(%q)) continue;
		const td = tr.querySelector('td[data-measure=%q]');
		if (td) return {Text: td.textContent.trim(), Hidden: td.dataset.hidden === "true", Found: true};
	} return {Found: false}; })()`, table, region, measure)))
	if !out.Found {
		t.Fatalf("table %s has no cell for region %s, %s", table, region, measure)
	}
	return out.Text, out.Hidden
}

// fetchText fetches path from within the page (its cookies) and returns
// the status and body.
func fetchText(t *testing.T, ctx context.Context, path string) (int, string) {
	t.Helper()
	r := get(t, ctx, chromedp.Evaluate[struct {
		Status int
		Body   string
	}](fmt.Sprintf(`fetch(%q, {credentials: "same-origin", headers: {Accept: "text/html"}}).then(async r => ({Status: r.status, Body: await r.text()}))`, path),
		chromedp.EvalAwaitPromise))
	return r.Status, r.Body
}

func TestTheAnalystSeesChartsAndTablesOfTheLoad(t *testing.T) {
	loadBookings(t)
	ctx := tab(t)
	signInAnalyst(t, ctx, "a1")
	// A chart is drawn: the canvas has pixels, not just a place. The page's
	// script draws it after the body is shown.
	do(t, ctx, chromedp.WaitReady(chromedp.CSS("#chart-outcomes[data-drawn]")))
	drawn := get(t, ctx, chromedp.Evaluate[int](`(() => { const c = document.querySelector("#chart-outcomes[data-drawn]");
		if (!c) return 0; const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })()`))
	if drawn < 500 {
		t.Errorf("the outcomes chart has %d painted pixels, want a drawn chart", drawn)
	}
	if got, _ := cell(t, ctx, "outcomes", fhirRegion, "confirmed"); got != fmt.Sprint(confirmedLoad) {
		t.Errorf("the overview shows %q confirmed in region %s, want %d", got, fhirRegion, confirmedLoad)
	}
	// The CSV link downloads the figures the table shows.
	href := get(t, ctx, chromedp.Evaluate[string](`document.querySelector("#export-csv").getAttribute("href")`))
	status, body := fetchText(t, ctx, href)
	if status != http.StatusOK {
		t.Fatalf("CSV: status %d", status)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, r := range rows[1:] { // table,day,at,region,specialty,measure,value,text,suppressed,partial
		if r[0] != "outcomes" || r[3] != fhirRegion || strings.HasSuffix(r[5], "_share") {
			continue
		}
		shown, hidden := cell(t, ctx, "outcomes", fhirRegion, r[5])
		if want := r[6] + map[bool]string{true: "*"}[r[9] == "true"]; hidden != (r[8] == "true") || (!hidden && shown != want) {
			t.Errorf("%s: the page shows %q (hidden %v), the CSV %q (suppressed %s)", r[5], shown, hidden, r[6], r[8])
		}
		compared++
	}
	if compared < 3 {
		t.Errorf("only %d of the outcomes' cells compared with the CSV", compared)
	}
	// A filter on a day before the load changes the figures.
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#f-from"), yesterday), chromedp.SetValue(chromedp.CSS("#f-to"), yesterday))
	click(t, ctx, `form.filters button[type=submit]`, "analytics")
	if got, _ := cell(t, ctx, "outcomes", "Вся страна", "confirmed"); got != "0" {
		t.Errorf("a day before the load shows %q confirmed in the country, want 0", got)
	}
	if n := get(t, ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("#table-outcomes tbody th")].filter(th => th.textContent.startsWith("`+fhirRegion+`")).length`)); n != 0 {
		t.Errorf("a day before the load still has a row of region %s", fhirRegion)
	}
	// And a region filter keeps only that region.
	open(t, ctx, "/analytics?region="+fhirRegion, "analytics")
	if got, _ := cell(t, ctx, "outcomes", fhirRegion, "confirmed"); got != fmt.Sprint(confirmedLoad) {
		t.Errorf("filtered to region %s the overview shows %q confirmed", fhirRegion, got)
	}
	if n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#table-outcomes tbody tr").length`)); n != 1 {
		t.Errorf("filtered to one region the outcomes have %d rows, want that region's alone", n)
	}
}

func TestACountFromOneToNineIsHiddenOnThePageAndInItsExports(t *testing.T) {
	loadBookings(t)
	ctx := tab(t)
	signInAnalyst(t, ctx, "a2")
	open(t, ctx, "/analytics/cancellations", "analytics")
	shown, hidden := cell(t, ctx, "cancellations", fhirRegion, "cancelled_by_citizen")
	if !hidden || shown != "скрыто" || strings.Contains(shown, fmt.Sprint(cancelledLoad)) {
		t.Errorf("%d cancellations show as %q (hidden %v), want hidden", cancelledLoad, shown, hidden)
	}
	if got := text(t, ctx, "#hidden-note"); !strings.Contains(got, "от 1 до 9") {
		t.Errorf("the page does not say why cells are hidden: %q", got)
	}
	for _, format := range []string{"csv", "json"} {
		status, body := fetchText(t, ctx, "/analytics/cancellations?format="+format)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d", format, status)
		}
		if format == "csv" && !strings.Contains(body, "cancellations,,,"+fhirRegion+",,cancelled_by_citizen,,,true,false") {
			t.Errorf("the CSV does not hide the cell: %s", body)
		}
		if format == "json" {
			var rep report
			if err := json.Unmarshal([]byte(body), &rep); err != nil {
				t.Fatal(err)
			}
			if row, _ := rep.row("cancellations", fhirRegion, "cancelled_by_citizen"); !row.Suppressed || row.Value != nil {
				t.Errorf("the JSON shows the hidden cell: %+v", row)
			}
		}
	}
}

func TestEveryDashboardIsAccessibleAndFitsAPhone(t *testing.T) {
	loadBookings(t)
	ctx := tab(t)
	signInAnalyst(t, ctx, "a3")
	for _, p := range analyticsPages {
		open(t, ctx, p.path, "analytics")
		loadTimes(t, ctx, "analytics-"+p.name)
		// The whole page: a dashboard is longer than the window.
		png := get(t, ctx, chromedp.FullScreenshot(90))
		if err := os.WriteFile(filepath.Join(screenshotDir(t), "analytics-"+p.name+".jpg"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		axeCheck(t, ctx, "analytics-"+p.name)
	}
	do(t, ctx, chromedp.EmulateViewport(375, 667, chromedp.EmulateMobile))
	open(t, ctx, "/analytics", "analytics")
	if wide := get(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); wide > 375 {
		t.Errorf("the overview scrolls sideways on a phone: %d px wide", wide)
	}
	shot(t, ctx, "phone-analytics-overview")
	axeCheck(t, ctx, "phone-analytics-overview")
}

func TestTheRolesKeepToTheirPages(t *testing.T) {
	citizen := tab(t)
	signIn(t, citizen, "nosy")
	for _, p := range analyticsPages {
		for _, suffix := range []string{"", "?format=csv", "?format=json"} {
			if status, _ := fetchText(t, citizen, p.path+suffix); status != http.StatusForbidden {
				t.Errorf("a citizen gets %d from %s%s, want 403", status, p.path, suffix)
			}
		}
	}
	open(t, citizen, "/analytics", "error")
	analyst := tab(t)
	signInAnalyst(t, analyst, "a4")
	for _, path := range []string{"/search", "/appointments", "/bookings/bk-1", "/operator"} {
		if status, _ := fetchText(t, analyst, path); status != http.StatusForbidden {
			t.Errorf("an analyst gets %d from %s, want 403", status, path)
		}
	}
}
