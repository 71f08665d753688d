package browser

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenshotDir is where the screenshots go: $SCREENSHOT_DIR when set
// (docs/screenshots for the committed ones), else the test's temporary
// directory.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("SCREENSHOT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// violation is one of axe-core's findings, as the check reports it.
type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeCheck runs axe-core in the page and reports every violation of
// serious or critical impact. The script is injected through the
// DevTools protocol, which the page's Content-Security-Policy does not
// govern, so the pages need not allow it.
func axeCheck(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	get(t, ctx, chromedp.Evaluate[any](axeSource+";0"))
	found := get(t, ctx, chromedp.Evaluate[[]violation](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v =>
			({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`,
		chromedp.EvalAwaitPromise))
	for _, v := range found {
		t.Errorf("%s: accessibility (%s) %s: %s at %s", name, v.Impact, v.ID, v.Help, strings.Join(v.Nodes, "; "))
	}
}

// timing is the page's Navigation Timing, in milliseconds from the start
// of the navigation.
type timing struct {
	TTFB, DOMContentLoaded, Load float64
}

// loadTimes logs how long the page took, as the browser measured it (no
// assertion: the machine is shared).
func loadTimes(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	tm := get(t, ctx, chromedp.Evaluate[timing](`(() => { const n = performance.getEntriesByType("navigation")[0];
		return n ? {TTFB: n.responseStart, DOMContentLoaded: n.domContentLoadedEventEnd, Load: n.loadEventEnd} : {}; })()`))
	t.Logf("page %s: first byte %.0f ms, DOMContentLoaded %.0f ms, load %.0f ms", name, tm.TTFB, tm.DOMContentLoaded, tm.Load)
}

// shot saves a screenshot of the viewport as name.png.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := get(t, ctx, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(screenshotDir(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// check is what every page gets: its load times logged, its screenshot
// saved, and the accessibility check.
func check(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	loadTimes(t, ctx, name)
	shot(t, ctx, name)
	axeCheck(t, ctx, name)
}
