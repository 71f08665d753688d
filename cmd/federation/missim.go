package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/feedsim"
	"github.com/fedhealth/federation/regions/missim/fleet"
	"github.com/fedhealth/federation/regions/missim/rpcsim"
	"github.com/fedhealth/federation/regions/missim/soapsim"
	"github.com/fedhealth/federation/regions/subjects"
)

// envMissimAdminToken names the environment variable holding the
// simulator's admin token; --admin-token-file is the other way in. There is
// deliberately no flag with the value: command lines are visible to every
// user of the host (ps, /proc).
const envMissimAdminToken = "MISSIM_ADMIN_TOKEN"

// envMissimToken names the environment variable holding the bearer token
// the simulator demands on contract calls; --token-file is the other way in
// (never a flag with the value, for the same reason).
const envMissimToken = "MISSIM_TOKEN"

func runMissim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("missim", "Usage: federation missim [--kind fhir|soap|jsonrpc|feed] --region CODE [flags]\n\nServes a simulated regional MIS (kind fhir: the reference contract v1; soap:\nthe e-registry SOAP style, WSDL at ?wsdl; jsonrpc: the city JSON-RPC\nstyle, OpenRPC at GET /; feed: a SMART Scheduling Links slot publisher,\nmanifest at /$bulk-publish) with seeded data, plus\n/admin/appointments and /admin/faults for tests. The admin endpoints need\nthe admin token (Authorization: Bearer) from $"+envMissimAdminToken+" or\n--admin-token-file; without one they answer only loopback connections. Flags:")
	kind := fs.String("kind", "fhir", "style of the simulated MIS: fhir, soap, jsonrpc or feed")
	region := fs.String("region", "", "federal subject code of the simulated region, e.g. 77 (required)")
	listen := fs.String("listen", "127.0.0.1:9077", "address to serve the MIS contract on")
	seed := fs.Int64("seed", 1, "seed of the generated facilities, practitioners and slots")
	days := fs.Int("days", 0, "kind fhir: calendar days of slots to generate (default 14; long soaks need more)")
	tz := fs.String("timezone", "", "IANA time zone; default the demo table's zone for the region, else Europe/Moscow")
	tokenFile := fs.String("token-file", "", "file holding the bearer token contract calls must carry (else $"+envMissimToken+"; neither: none)")
	adminFile := fs.String("admin-token-file", "", "file holding the admin token (else $"+envMissimAdminToken+"; neither: admin on loopback only)")
	holdTTL := fs.Duration("hold-ttl", 0, "how long a hold lives before it lapses (fhir; default 5m)")
	cbURL := fs.String("callback-url", "", "where the clinic's status callbacks go (fhir, soap): the broker's /api/v1/callbacks/CODE, or the kit's --callback-listen")
	cbSecretFile := fs.String("callback-secret-file", "", "file holding the callbacks' signing secret, whsec_… (else $"+envMissimCallbackSecret+")")
	var quirkNames quirkFlag
	fs.Var(&quirkNames, "quirk", "a bug to have on purpose, to see the conformance kit catch it (repeatable): "+quirkNames.known())
	var logs logFlags
	logs.register(fs, "info", "auto")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *region == "" {
		fs.Usage()
		return fmt.Errorf("--region is required")
	}
	if *kind != "fhir" && *kind != "soap" && *kind != "jsonrpc" && *kind != "feed" {
		return fmt.Errorf("--kind %q: want fhir, soap, jsonrpc or feed", *kind)
	}
	quirks, err := missim.ParseQuirks(quirkNames)
	if err != nil {
		return fmt.Errorf("--quirk: %w", err)
	}
	if s, ok := subjects.Lookup(*region); ok && *tz == "" {
		*tz = s.TimeZone
	}
	adminToken, err := tokenFromFileOrEnv(*adminFile, envMissimAdminToken, "admin token", "--admin-token-file")
	if err != nil {
		return err
	}
	token, err := tokenFromFileOrEnv(*tokenFile, envMissimToken, "contract token", "--token-file")
	if err != nil {
		return err
	}
	logger, err := newLogger(stderr, logs.level, logs.format)
	if err != nil {
		return err
	}
	callback, err := missimCallback(*cbURL, *cbSecretFile)
	if err != nil {
		return err
	}
	if callback.URL != "" && *kind != "fhir" && *kind != "soap" {
		return fmt.Errorf("--callback-url: kind %s sends no status callbacks", *kind)
	}
	printQuirks(stdout, quirks)
	if *kind == "soap" {
		return runSoapSim(ctx, soapsim.Config{Region: *region, TimeZone: *tz, Seed: *seed, BearerToken: token, AdminToken: adminToken, Quirks: quirks}, callback, *listen, logger, stdout)
	}
	if *kind == "feed" {
		return runFeedSim(ctx, feedsim.Config{Region: *region, TimeZone: *tz, Seed: *seed, AdminToken: adminToken, Quirks: quirks}, *listen, logger, stdout)
	}
	if *kind == "jsonrpc" {
		return runRPCSim(ctx, rpcsim.Config{Region: *region, TimeZone: *tz, Seed: *seed, BearerToken: token, AdminToken: adminToken, Quirks: quirks}, *listen, logger, stdout)
	}
	sim, err := fleet.StartSimulator(missim.Config{Region: *region, TimeZone: *tz, Seed: *seed, Days: *days, BearerToken: token, AdminToken: adminToken,
		Quirks: quirks, HoldTTL: *holdTTL}, *listen, logger)
	if err != nil {
		return err
	}
	defer sim.Close()
	if callback.URL != "" {
		if err := sim.SetCallback(callback); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "MIS simulator for region %s at %s (admin: %s/admin/appointments, %s)\n", *region, sim.URL, sim.URL, adminRule(adminToken, sim.URL))
	<-ctx.Done()
	return nil
}

// runSoapSim serves the SOAP-style simulator on listen until ctx ends.
func runSoapSim(ctx context.Context, cfg soapsim.Config, callback missim.CallbackTarget, listen string, logger *slog.Logger, stdout io.Writer) error {
	sim, err := soapsim.New(cfg, logger)
	if err != nil {
		return err
	}
	if err := sim.Notifier().SetTarget(callback); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("soap simulator %s: %w", cfg.Region, err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "SOAP MIS simulator for region %s at %s/ (WSDL: %s/?wsdl; admin: %s/admin/appointments, %s)\n",
		cfg.Region, url, url, url, adminRule(cfg.AdminToken, url))
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// runRPCSim serves the JSON-RPC-style simulator on listen until ctx ends.
func runRPCSim(ctx context.Context, cfg rpcsim.Config, listen string, logger *slog.Logger, stdout io.Writer) error {
	sim, err := rpcsim.New(cfg, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("jsonrpc simulator %s: %w", cfg.Region, err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "JSON-RPC MIS simulator for region %s at %s/ (OpenRPC: GET %s/; admin: %s/admin/appointments, %s)\n",
		cfg.Region, url, url, url, adminRule(cfg.AdminToken, url))
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// envMissimCallbackSecret names the environment variable holding the
// secret the simulator signs its callbacks with; --callback-secret-file is
// the other way in.
const envMissimCallbackSecret = "MISSIM_CALLBACK_SECRET"

// missimCallback is the simulator's callback target from its flags: none
// without a URL; with one, the secret is required.
func missimCallback(url, secretFile string) (missim.CallbackTarget, error) {
	if url == "" {
		return missim.CallbackTarget{}, nil
	}
	secret, err := tokenFromFileOrEnv(secretFile, envMissimCallbackSecret, "callback secret", "--callback-secret-file")
	if err != nil {
		return missim.CallbackTarget{}, err
	}
	if secret == "" {
		return missim.CallbackTarget{}, fmt.Errorf("--callback-url needs the signing secret: --callback-secret-file or $%s", envMissimCallbackSecret)
	}
	return missim.CallbackTarget{URL: url, Secret: secret}, nil
}

// tokenFromFileOrEnv reads a token from file, else from the environment
// variable env; "" when neither is given. Both at once is a mistake: which
// one wins would be a guess.
func tokenFromFileOrEnv(file, env, what, flag string) (string, error) {
	fromEnv := strings.TrimSpace(os.Getenv(env))
	switch {
	case file != "" && fromEnv != "":
		return "", fmt.Errorf("the %s comes from %s or $%s, not both", what, flag, env)
	case file == "":
		return fromEnv, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("%s: %s is empty", what, flag)
	}
	return token, nil
}

// adminRule says who may use the admin endpoints, for the banner.
func adminRule(token, url string) string {
	switch {
	case token != "":
		return "admin token required"
	case onLoopback(url):
		return "no admin token: loopback callers only"
	}
	return "no admin token: admin is off for every caller not on this host's loopback"
}

// onLoopback reads the listener's address back from the simulator's URL.
func onLoopback(url string) bool {
	ap, err := netip.ParseAddrPort(strings.TrimPrefix(url, "http://"))
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// quirkFlag collects the values of a repeatable --quirk.
type quirkFlag []string

func (q *quirkFlag) String() string { return strings.Join(*q, ",") }

// Set adds one quirk name; ParseQuirks checks them all after parsing.
func (q *quirkFlag) Set(v string) error {
	*q = append(*q, v)
	return nil
}

// known lists the quirks for the flag's usage line.
func (*quirkFlag) known() string {
	var s []string
	for _, q := range missim.KnownQuirks() {
		s = append(s, string(q))
	}
	return strings.Join(s, ", ")
}

// printQuirks warns in the banner that the simulator is broken on purpose.
func printQuirks(w io.Writer, q missim.Quirks) {
	if len(q) > 0 {
		names := make([]string, len(q))
		for i, x := range q {
			names[i] = string(x)
		}
		fmt.Fprintf(w, "quirks (bugs on purpose, the conformance kit must fail): %s\n", strings.Join(names, ", "))
	}
}
