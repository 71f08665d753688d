package browser

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestAnOperatorConfirmsAFeedBookingAndTheCitizensPageShowsIt(t *testing.T) {
	citizen := tab(t)
	signIn(t, citizen, "dina")
	search(t, citizen, feedRegion, "")
	if got := text(t, citizen, "#results-h .feed"); !strings.Contains(got, "оператор клиники") || !strings.Contains(got, "24") {
		t.Errorf("the feed region's results read %q, want who confirms and within how long", got)
	}
	check(t, citizen, "search-feed")
	click(t, citizen, "button.slot", "booking")
	waitStatus(t, citizen, "pending")
	get(t, citizen, chromedp.Evaluate[any](`window.sameDocument = true`))
	id := get(t, citizen, chromedp.Evaluate[string](`document.querySelector("article.booking").dataset.booking`))

	op := tab(t)
	signInOperator(t, op, "op-1", feedRegion)
	if got := text(t, op, "section.refused"); !strings.Contains(got, "не присылает уведомлений") {
		t.Errorf("the feed region's operator reads %q about refused callbacks, want that its MIS sends none", got)
	}
	check(t, op, "operator-queue")
	mine := `article[data-booking="` + id + `"] `
	if n := get(t, op, chromedp.Evaluate[int](`document.querySelectorAll('`+mine+`').length`)); n != 1 {
		t.Fatalf("the queue does not hold the citizen's booking %s", id)
	}
	// The patient's identifiers are a deliberate click away, then back.
	click(t, op, mine+`form[action$="/patient"] button`, "patient")
	if snils := text(t, op, "#snils"); len(snils) < 11 {
		t.Errorf("the patient page shows SNILS %q", snils)
	}
	check(t, op, "operator-patient")
	click(t, op, `a[href="/operator"]`, "queue")
	do(t, op, chromedp.SendKeys(chromedp.CSS(mine+`input[name="mis_appointment_id"]`), "APT-1001"))
	click(t, op, mine+"button.confirm", "queue")
	if got := text(t, op, ".notice"); got == "" {
		t.Error("the queue does not say the confirmation was done")
	}
	if n := get(t, op, chromedp.Evaluate[int](`document.querySelectorAll('`+mine+`').length`)); n != 0 {
		t.Error("the queue still holds the confirmed booking")
	}
	check(t, op, "operator-queue-empty")

	waitStatus(t, citizen, "confirmed")
	if !get(t, citizen, chromedp.Evaluate[bool](`window.sameDocument === true`)) {
		t.Error("the citizen's page reloaded to show the confirmation")
	}
	open(t, citizen, "/appointments", "appointments")
	do(t, citizen, chromedp.Click(chromedp.CSS(`.booking details summary`)))
	if tl := text(t, citizen, ".booking .timeline ol"); !strings.Contains(tl, "оператор клиники") {
		t.Errorf("the timeline does not name the operator as the confirmation's source: %q", tl)
	}
}

func TestAnOperatorDeclinesAFeedBookingWithAReasonTheCitizenReads(t *testing.T) {
	citizen := tab(t)
	signIn(t, citizen, "egor")
	search(t, citizen, feedRegion, "")
	click(t, citizen, "button.slot", "booking")
	waitStatus(t, citizen, "pending")
	id := get(t, citizen, chromedp.Evaluate[string](`document.querySelector("article.booking").dataset.booking`))

	op := tab(t)
	signInOperator(t, op, "op-2", feedRegion)
	mine := `article[data-booking="` + id + `"] `
	do(t, op, chromedp.SendKeys(chromedp.CSS(mine+`input[name="note"]`), "Позвоните нам"))
	click(t, op, mine+`form[action$="/decline"] button`, "queue")

	waitStatus(t, citizen, "rejected")
	if got := text(t, citizen, ".booking dd.reason"); got == "" {
		t.Error("the rejected booking shows no reason")
	}
	check(t, citizen, "booking-rejected")
}
