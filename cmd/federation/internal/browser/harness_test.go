package browser

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/missim/fleet"
)

// axeSource is axe-core's axe.min.js (testdata/axe-core/README.md).
//
//go:embed testdata/axe-core/axe.min.js
var axeSource string

// env is what every test shares: one system, one browser (each test in
// browser contexts of its own, so cookies never mix).
var env struct {
	sys     *system.System
	sims    map[string]*fleet.Simulator
	browser context.Context
	skip    string
}

// The regions of the tests: one that books at an MIS (fhir) and one whose
// bookings wait for the regional operator (feed).
const (
	fhirRegion = "78"
	feedRegion = "27"
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	chromium := chromiumPath()
	if chromium == "" {
		env.skip = "no chromium binary found (looked for chromium, chromium-browser, google-chrome on PATH): install Debian's chromium to run the browser tests"
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "browser-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	stop, err := startSystem(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "browser tests: system:", err)
		return 1
	}
	defer stop()
	cancel, err := startBrowser(chromium, filepath.Join(dir, "chromium"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "browser tests: chromium:", err)
		return 1
	}
	defer cancel()
	return m.Run()
}

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func startSystem(dir string) (func(), error) {
	var regs []fleet.Region
	for _, r := range fleet.Regions {
		if r.Code == fhirRegion || r.Code == feedRegion {
			regs = append(regs, r)
		}
	}
	sims, err := fleet.StartSimulators(regs, 7, 0, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	env.sims = map[string]*fleet.Simulator{}
	for _, s := range sims {
		env.sims[s.Region.Code] = s
	}
	sys, err := system.Start(context.Background(), system.Options{
		Listen: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), Regions: fleet.RegistryConfigs(sims),
		DevIssuer: true, WebPlainHTTP: true,
		PseudonymKey: bytes.Repeat([]byte{1}, 32), SealKey: bytes.Repeat([]byte{2}, 32),
		// Every test's citizen books its own slots; the guards stay on.
	})
	if err != nil {
		fleet.CloseAll(sims)
		return nil, err
	}
	env.sys = sys
	return func() { sys.Close(); fleet.CloseAll(sims) }, nil
}

// startBrowser starts the one headless chromium the tests share. Without
// the background-networking flags chromium's own connections (updates,
// sync, QUIC probes) are refused on these machines and slow it down.
func startBrowser(path, userDataDir string) (context.CancelFunc, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		// A Russian reader, as most are: the pages' default language is
		// then what Accept-Language asks for too.
		chromedp.Flag("lang", "ru-RU"), chromedp.Flag("accept-lang", "ru-RU,ru"),
		chromedp.UserDataDir(userDataDir), chromedp.WindowSize(1100, 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	if err := chromedp.Do(browser); err != nil { // starts the browser
		cancelBrowser()
		cancelAlloc()
		return nil, err
	}
	env.browser = browser
	return func() { cancelBrowser(); cancelAlloc() }, nil
}

// tab is a new tab in a browser context of its own (its own cookies).
func tab(t *testing.T) context.Context {
	t.Helper()
	if env.skip != "" {
		t.Skip(env.skip)
	}
	ctx, cancel := chromedp.NewContext(env.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 45*time.Second)
	t.Cleanup(cancelTimeout)
	do(t, ctx, chromedp.EmulateViewport(1100, 900))
	return ctx
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}

// open navigates to path and waits for the page named page.
func open(t *testing.T, ctx context.Context, path, page string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(env.sys.URL+path), waitPage(page))
}

// waitPage waits until the page shown is page (the body's data-page).
func waitPage(page string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(`body[data-page="` + page + `"]`))
}

// click clicks sel and waits for the page it leads to. The document shown
// before is marked first, so a click that leads to another page of the same
// name (a filter form) waits for the new document, not the old one.
func click(t *testing.T, ctx context.Context, sel, page string) {
	t.Helper()
	do(t, ctx, chromedp.SetAttributeValue(chromedp.CSS("body"), "data-left", "1"),
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-page="`+page+`"]:not([data-left])`)))
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return strings.TrimSpace(get(t, ctx, chromedp.Text(chromedp.CSS(sel))))
}

// signIn signs a test citizen in through the demo's form.
func signIn(t *testing.T, ctx context.Context, citizen string) {
	t.Helper()
	open(t, ctx, "/signin", "signin")
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#citizen_id"), citizen))
	click(t, ctx, `form[action="/signin"] button[type=submit]`, "search")
}

// signInOperator signs a test operator of region in.
func signInOperator(t *testing.T, ctx context.Context, id, region string) {
	t.Helper()
	open(t, ctx, "/signin", "signin")
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#operator_id"), id),
		chromedp.SetValue(chromedp.CSS("#op_region"), region))
	click(t, ctx, `form[action="/signin/operator"] button[type=submit]`, "queue")
}

// search searches region's slots, waiting (a feed region's first read of
// its publisher) until some are offered.
func search(t *testing.T, ctx context.Context, region, extra string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		open(t, ctx, "/search?region="+region+extra, "search")
		n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("button.slot").length`))
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no slot offered in region %s", region)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
