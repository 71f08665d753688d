package browser

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fedhealth/federation/regions/missim"
)

// waitStatus waits until the booking page's status is status.
func waitStatus(t *testing.T, ctx context.Context, status string) {
	t.Helper()
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".booking .status.status-"+status)))
}

func TestACitizenBooksAndWatchesTheBookingTurnConfirmedWithoutAReload(t *testing.T) {
	ctx := tab(t)
	signIn(t, ctx, "anna")
	check(t, ctx, "signed-in-search")
	// The region's MIS answers slowly, so the booking is seen pending.
	sim := env.sims[fhirRegion]
	if err := sim.SetFaults(missim.Faults{LatencyMS: 1500}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.SetFaults(missim.Faults{}) })
	search(t, ctx, fhirRegion, "")
	check(t, ctx, "search")
	if zone := text(t, ctx, "button.slot .zone"); !strings.Contains(zone, "UTC+03:00, Europe/Moscow") {
		t.Errorf("a slot's zone reads %q, want the offset and the region's zone", zone)
	}
	click(t, ctx, "button.slot", "booking")
	if got := text(t, ctx, ".booking .status"); got != "ожидает подтверждения" {
		t.Errorf("the new booking reads %q, want pending (in Russian, the default)", got)
	}
	check(t, ctx, "booking-pending")
	get(t, ctx, chromedp.Evaluate[any](`window.sameDocument = true`))
	waitStatus(t, ctx, "confirmed")
	if !get(t, ctx, chromedp.Evaluate[bool](`window.sameDocument === true`)) {
		t.Error("the page reloaded to show the confirmation; it should update itself")
	}
	if got := text(t, ctx, ".booking .status"); got != "подтверждена" {
		t.Errorf("the booking reads %q, want confirmed", got)
	}
	check(t, ctx, "booking-confirmed")
}

func TestACitizenReschedulesAndCancelsFromMyAppointments(t *testing.T) {
	ctx := tab(t)
	signIn(t, ctx, "boris")
	search(t, ctx, fhirRegion, "")
	click(t, ctx, "button.slot", "booking")
	waitStatus(t, ctx, "confirmed")
	before := text(t, ctx, ".booking h2")

	open(t, ctx, "/appointments", "appointments")
	check(t, ctx, "appointments")
	click(t, ctx, ".booking .actions a.button.secondary", "search")
	if got := text(t, ctx, ".notice"); got == "" {
		t.Error("the search for the new time does not say it moves the booking")
	}
	// Another time of the same practitioner (the search is filtered so).
	n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("button.slot").length`))
	if n < 2 {
		t.Fatalf("the practitioner offers %d free times; want another to move to", n)
	}
	check(t, ctx, "reschedule-search")
	click(t, ctx, "ul.slots li:nth-child(2) button.slot", "booking")
	id := get(t, ctx, chromedp.Evaluate[string](`document.querySelector("article.booking").dataset.booking`))
	// The move is a saga of its own: the page shows it under way, then
	// (looked at again) the booking at its new time.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		open(t, ctx, "/bookings/"+id, "booking")
		moved := text(t, ctx, ".booking h2") != before
		if moved && get(t, ctx, chromedp.Evaluate[bool](`!!document.querySelector(".booking .status.status-confirmed")`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the booking still stands at %s, or is not confirmed, after the move", before)
		}
	}

	open(t, ctx, "/appointments", "appointments")
	click(t, ctx, ".booking .actions button.danger", "booking")
	waitStatus(t, ctx, "cancelled")
	open(t, ctx, "/bookings/"+id, "booking") // who cancelled is on the page as rendered
	if got := text(t, ctx, ".cancelled-by"); got != "вы" {
		t.Errorf("cancelled by reads %q, want the citizen (вы)", got)
	}
	check(t, ctx, "booking-cancelled")
}

func TestTheHistoryReadsInRussianAndInEnglish(t *testing.T) {
	ctx := tab(t)
	signIn(t, ctx, "vera")
	search(t, ctx, fhirRegion, "")
	click(t, ctx, "button.slot", "booking")
	waitStatus(t, ctx, "confirmed")

	open(t, ctx, "/appointments", "appointments")
	if lang, h1 := get(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang`)), text(t, ctx, "h1"); lang != "ru" || h1 != "Мои записи" {
		t.Errorf("the history reads lang=%q %q, want Russian by default", lang, h1)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`.booking details summary`)))
	ruTimeline := text(t, ctx, ".booking .timeline ol")
	if !strings.Contains(ruTimeline, "портал") {
		t.Errorf("the timeline does not say where its changes came from: %q", ruTimeline)
	}
	check(t, ctx, "appointments-ru")

	click(t, ctx, `a[hreflang="en"]`, "appointments")
	if lang, h1 := get(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang`)), text(t, ctx, "h1"); lang != "en" || h1 != "My appointments" {
		t.Errorf("after the switch the history reads lang=%q %q, want English", lang, h1)
	}
	if got := text(t, ctx, ".booking .status"); got != "confirmed" {
		t.Errorf("the status reads %q in English", got)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`.booking details summary`)))
	if tl := text(t, ctx, ".booking .timeline ol"); !strings.Contains(tl, "portal") || tl == ruTimeline {
		t.Errorf("the English timeline reads %q", tl)
	}
	check(t, ctx, "appointments-en")
	// The choice sticks for the next pages.
	open(t, ctx, "/search", "search")
	if h1 := text(t, ctx, "h1"); h1 != "Find a free time" {
		t.Errorf("the next page reads %q, want English still", h1)
	}
	click(t, ctx, `a[hreflang="ru"]`, "search")
	if h1 := text(t, ctx, "h1"); h1 != "Найти свободное время" {
		t.Errorf("switching back reads %q", h1)
	}
}

func TestARefusalIsAPageInTheReadersLanguage(t *testing.T) {
	ctx := tab(t)
	signIn(t, ctx, "gleb")
	open(t, ctx, "/operator", "error")
	if got := text(t, ctx, ".error .lead"); got != "Эта страница не для вашей роли." {
		t.Errorf("a citizen on the operator's page reads %q", got)
	}
	check(t, ctx, "error-wrong-role")
	open(t, ctx, "/bookings/no-such-booking", "error")
	if got := text(t, ctx, ".error .lead"); got != "Такой страницы или записи нет." {
		t.Errorf("an unknown booking reads %q", got)
	}
	if strings.Contains(get(t, ctx, chromedp.OuterHTML(chromedp.CSS("main"))), "{") {
		t.Error("the error page shows something like JSON")
	}
}
