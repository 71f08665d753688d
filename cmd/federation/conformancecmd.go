package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts"
	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
	fhirkit "github.com/fedhealth/federation/contracts/misv2/conformance"
	"github.com/fedhealth/federation/regions/conformance"
	"github.com/fedhealth/federation/regions/mishttp"
	"github.com/fedhealth/federation/regions/subjects"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb"
)

const conformanceUsage = `Usage: federation conformance --kind fhir|soap|jsonrpc|feed --mis-url URL
         [--token-file F | --token T | --tls-cert F --tls-key F [--tls-ca F]] [--region CODE] [--time-zone TZ]
         [--report-dir DIR] [--only ID,...] [--read-only] [--hold-wait D]
         [--callback-listen ADDR --callback-secret-file F [--callback-wait D]]

The vendor kit: checks a regional MIS against every requirement of its kind
(the federal FHIR contract, or what the broker's soap, jsonrpc or feed
adapter relies on) and prints one line per requirement (ID, title,
PASS/FAIL/SKIP, the evidence of a failure), a summary and the latency of
each operation. --report-dir writes report.xml (JUnit), report.json and
report.html, a page to attach to a go-live request. Exits 1 when a required
check failed, 2 on a bad command line. The checks hold, book and cancel
test appointments and release what they hold; --read-only runs only those
that change nothing (safe against production). With --callback-listen the
kit also checks the MIS's status callbacks (fhir, soap): it books an
appointment, prints which one to change at the clinic and where to send the
callback, and verifies the callback's signature, timestamp and body as the
broker does; the signing secret comes from --callback-secret-file or
$` + envConformanceCallbackSecret + `, never from the command line. Flags:`

// envConformanceCallbackSecret names the environment variable holding the
// region's callback signing secret (whsec_…); --callback-secret-file is the
// other way in. No flag takes the value: command lines are visible to every
// user of the host.
const envConformanceCallbackSecret = "FEDERATION_CALLBACK_SECRET"

// envConformanceToken holds the bearer token the kit sends, when
// --token-file is not given.
const envConformanceToken = "FEDERATION_MIS_TOKEN"

// errChecksFailed is a conformance run in which a required check failed:
// exit status 1, the report printed already.
var errChecksFailed = errors.New("a required conformance check failed")

type conformanceFlags struct {
	kind, url, token, tokenFile, cert, key, ca, region, zone, reportDir, only string
	readOnly                                                                  bool
	timeout, holdWait, callbackWait                                           time.Duration
	callbackListen, callbackSecretFile                                        string
}

func runConformance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("conformance", conformanceUsage)
	var f conformanceFlags
	fs.StringVar(&f.kind, "kind", "fhir", "the MIS's region kind: fhir, soap, jsonrpc or feed")
	fs.StringVar(&f.url, "mis-url", "", "the MIS: the contract's base URL (fhir), the endpoint (soap, jsonrpc), the publisher's base URL (feed)")
	fs.StringVar(&f.token, "token", "", "bearer token sent to the MIS (never printed; on a command line other users of the machine can read it: prefer --token-file or $"+envConformanceToken+")")
	fs.StringVar(&f.tokenFile, "token-file", "", "file holding the bearer token sent to the MIS (else $"+envConformanceToken+")")
	fs.StringVar(&f.cert, "tls-cert", "", "client certificate (PEM) for mutual TLS")
	fs.StringVar(&f.key, "tls-key", "", "the client certificate's key (PEM)")
	fs.StringVar(&f.ca, "tls-ca", "", "CA bundle (PEM) to verify the MIS by, instead of the system's")
	fs.StringVar(&f.region, "region", "", "the region's code; its time zone is looked up in the sample region table when --time-zone is not given")
	fs.StringVar(&f.zone, "time-zone", "", "the region's IANA time zone (Europe/Moscow); every time must carry its offset")
	fs.StringVar(&f.reportDir, "report-dir", "", "write report.xml, report.json and report.html here")
	fs.StringVar(&f.only, "only", "", "run only these requirement IDs (comma-separated)")
	fs.BoolVar(&f.readOnly, "read-only", false, "run only the requirements that hold, book and cancel nothing")
	fs.DurationVar(&f.timeout, "timeout", kit.DefaultTimeout, "time allowed to each requirement")
	fs.DurationVar(&f.holdWait, "hold-wait", fhirkit.DefaultMaxHoldWait, "longest wait for a hold to lapse (FHIR-HOLD-09, FHIR-BOOK-06); a longer hold skips them")
	fs.StringVar(&f.callbackListen, "callback-listen", "", "address the kit's callback receiver listens on (e.g. 0.0.0.0:8099); empty skips the callback checks")
	fs.StringVar(&f.callbackSecretFile, "callback-secret-file", "", "file holding the region's callback signing secret, whsec_… (else $"+envConformanceCallbackSecret+")")
	fs.DurationVar(&f.callbackWait, "callback-wait", fhirkit.DefaultCallbackWait, "how long to wait for the status callback")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	target, err := f.target()
	if err != nil {
		fmt.Fprintln(stderr, "federation conformance:", err)
		fs.Usage()
		return errUsage
	}
	if target.Kind == contracts.RegionSOAP || target.Kind == contracts.RegionJSONRPC {
		l, closeLedger, err := tempLedger(ctx)
		if err != nil {
			return err
		}
		defer closeLedger()
		target.Ledger = l
	}
	if err := f.callback(&target, stdout); err != nil {
		fmt.Fprintln(stderr, "federation conformance:", err)
		return errUsage
	}
	opts := kit.Options{ReadOnly: f.readOnly, Only: splitList(f.only), Timeout: f.requirementTimeout(),
		Target: kit.Target{KitVersion: kitVersion()}}
	rep, err := conformance.Check(ctx, target, opts)
	if errors.Is(err, kit.ErrUnknownRequirement) || errors.Is(err, contracts.ErrInvalid) {
		fmt.Fprintln(stderr, "federation conformance:", err)
		return errUsage
	}
	if err != nil {
		return err
	}
	printReport(stdout, rep)
	if f.reportDir != "" {
		if err := kit.WriteFiles(f.reportDir, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "reports: %s, %s, %s\n", filepath.Join(f.reportDir, kit.JUnitFile),
			filepath.Join(f.reportDir, kit.JSONFile), filepath.Join(f.reportDir, kit.HTMLFile))
	}
	if !rep.OK() {
		return errChecksFailed
	}
	return nil
}

// callback sets target's callback receiver from the flags: none without
// --callback-listen; the secret from its file or the environment, checked
// and never printed. The kit's request to the vendor goes to stdout.
func (f conformanceFlags) callback(target *conformance.Target, stdout io.Writer) error {
	if f.callbackListen == "" {
		return nil
	}
	secret, err := tokenFromFileOrEnv(f.callbackSecretFile, envConformanceCallbackSecret, "callback secret", "--callback-secret-file")
	if err != nil {
		return err
	}
	if secret == "" {
		return fmt.Errorf("--callback-listen needs the signing secret: --callback-secret-file or $%s", envConformanceCallbackSecret)
	}
	if err := misv2.CheckCallbackSecret(secret); err != nil {
		return fmt.Errorf("callback secret: %w", err)
	}
	target.Callback = &fhirkit.CallbackCheck{Listen: f.callbackListen, Secrets: []string{secret}, Wait: f.callbackWait,
		Ask: func(a fhirkit.CallbackAsk) { fmt.Fprintf(stdout, "ACTION  %s\n", a) }}
	return nil
}

// requirementTimeout is --timeout, raised to leave a requirement that
// waits (for a lapse, for a callback) its wait and a minute more.
func (f conformanceFlags) requirementTimeout() time.Duration {
	t := f.timeout
	if f.callbackListen != "" {
		t = max(t, f.callbackWait+time.Minute)
	}
	return max(t, f.holdWait+time.Minute)
}

// target checks the flags and turns them into the kit's target.
func (f conformanceFlags) target() (conformance.Target, error) {
	kind := contracts.RegionKind(f.kind)
	if _, err := conformance.Catalog(kind); err != nil {
		return conformance.Target{}, err
	}
	if u, err := url.Parse(f.url); f.url == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return conformance.Target{}, errors.New("--mis-url must be an absolute http(s) URL")
	} else if u.User != nil {
		return conformance.Target{}, errors.New("--mis-url must not carry credentials (they would be printed in the report): use --token")
	}
	if f.token == "" {
		token, err := tokenFromFileOrEnv(f.tokenFile, envConformanceToken, "MIS token", "--token-file")
		if err != nil {
			return conformance.Target{}, err
		}
		f.token = token
	} else if f.tokenFile != "" {
		return conformance.Target{}, errors.New("give --token or --token-file, not both")
	}
	if f.token != "" && f.cert != "" {
		return conformance.Target{}, errors.New("give --token or --tls-cert/--tls-key, not both")
	}
	if (f.cert == "") != (f.key == "") {
		return conformance.Target{}, errors.New("--tls-cert and --tls-key go together")
	}
	zone := f.zone
	if s, ok := subjects.Lookup(f.region); ok && zone == "" {
		zone = s.TimeZone
	}
	if zone == "" && kind != contracts.RegionFHIR {
		return conformance.Target{}, fmt.Errorf("kind %s needs the region's time zone: give --time-zone (or --region with a federal subject's code)", kind)
	}
	if zone != "" {
		if _, err := time.LoadLocation(zone); err != nil {
			return conformance.Target{}, fmt.Errorf("--time-zone %q: %w", zone, err)
		}
	}
	if f.holdWait <= 0 || f.callbackWait <= 0 {
		return conformance.Target{}, errors.New("--hold-wait and --callback-wait must be positive")
	}
	return conformance.Target{Kind: kind, URL: f.url, BearerToken: f.token, MaxHoldWait: f.holdWait,
		TLS:    mishttp.TLSFiles{CertFile: f.cert, KeyFile: f.key, CAFile: f.ca},
		Region: contracts.Region{Code: cmp.Or(f.region, "00"), TimeZone: zone, Kind: kind}}, nil
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// tempLedger is the step ledger the soap and jsonrpc adapters need, on
// SQLite in a temporary directory removed afterwards: the kit's run is one
// process, so nothing of it must outlive the run.
func tempLedger(ctx context.Context) (*ledger.Store, func(), error) {
	dir, err := os.MkdirTemp("", "federation-conformance-")
	if err != nil {
		return nil, nil, err
	}
	db, err := sqldb.Open(sqldb.Config{Path: filepath.Join(dir, "ledger.db")})
	if err != nil {
		return nil, nil, errors.Join(err, os.RemoveAll(dir))
	}
	done := func() { _ = db.Close(); _ = os.RemoveAll(dir) }
	l, err := ledger.New(ctx, db, false, nil, nil)
	if err != nil {
		done()
		return nil, nil, err
	}
	return l, done, nil
}

// kitVersion is the binary's module version and VCS revision.
func kitVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := cmp.Or(bi.Main.Version, "(devel)")
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// printReport writes one line per requirement, the evidence of a failure
// indented below it, the summary and the latency table.
func printReport(w io.Writer, rep kit.Report) {
	fmt.Fprintf(w, "federation conformance %s: %s (kit %s)\n\n", rep.Target.Kind, rep.Target.URL, rep.Target.KitVersion)
	for _, r := range rep.Results {
		flag := ""
		if !r.Required {
			flag = " (recommended)"
		}
		fmt.Fprintf(w, "%-4s  %-16s  %s%s\n", strings.ToUpper(string(r.Status)), r.ID, r.Title, flag)
		for _, e := range r.Evidence {
			fmt.Fprintf(w, "      %s\n", strings.ReplaceAll(e, "\n", "\n      "))
		}
		if r.Status == kit.StatusSkip {
			fmt.Fprintf(w, "      skipped: %s\n", strings.Join(r.Log, "; "))
		}
	}
	s := rep.Summary
	verdict := "PASSED"
	if !rep.OK() {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "\n%s: %d requirements, %d passed, %d failed (%d required), %d skipped, in %s\n",
		verdict, s.Total, s.Passed, s.Failed, s.RequiredFailed, s.Skipped, rep.Duration.Round(time.Millisecond))
	if len(rep.Latency) == 0 {
		return
	}
	fmt.Fprintln(w, "\nlatency per operation:")
	width := len("operation")
	for _, l := range rep.Latency {
		width = max(width, len(l.Operation))
	}
	fmt.Fprintf(w, "  %-*s  %6s  %9s  %9s  %9s  %9s\n", width, "operation", "calls", "p50", "p90", "p99", "max")
	for _, l := range rep.Latency {
		fmt.Fprintf(w, "  %-*s  %6d  %9s  %9s  %9s  %9s\n", width, l.Operation, l.Count, dur(l.P50), dur(l.P90), dur(l.P99), dur(l.Max))
	}
}

func dur(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
