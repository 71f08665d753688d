package browser

import (
	"testing"

	"github.com/chromedp/chromedp"
)

func TestThePagesFitAPhoneScreen(t *testing.T) {
	ctx := tab(t)
	do(t, ctx, chromedp.EmulateViewport(375, 667, chromedp.EmulateMobile))
	fits := func(name string) {
		t.Helper()
		wide := get(t, ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if wide {
			w := get(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			t.Errorf("%s scrolls sideways on a phone: %d px wide in 375", name, w)
		}
		shot(t, ctx, "phone-"+name)
		axeCheck(t, ctx, "phone-"+name)
	}
	open(t, ctx, "/signin", "signin")
	fits("signin")
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#citizen_id"), "zoya"))
	click(t, ctx, `form[action="/signin"] button[type=submit]`, "search")
	search(t, ctx, fhirRegion, "")
	fits("search")
	click(t, ctx, "button.slot", "booking")
	waitStatus(t, ctx, "confirmed")
	fits("booking")
	open(t, ctx, "/appointments", "appointments")
	fits("appointments")
}
