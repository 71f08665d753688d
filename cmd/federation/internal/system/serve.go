package system

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"sync"
	"time"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/broker/api"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/broker/web"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/sagas/runner"
)

// devIssuerPath is where the demo's development identity provider lives.
const devIssuerPath = "/dev-idp"

// listeners are the system's two: the public API (TLS when tls is set) and
// the internal one for monitoring.
type listeners struct {
	public, internal net.Listener
	callbacks        net.Listener // nil: the public listener serves the callbacks
	tls              *tls.Config
}

func (s *System) serve(ctx context.Context, lns listeners, opts Options, tel *telemetry, rt *runner.Runtime) error {
	mux := http.NewServeMux()
	issuer := opts.Issuer
	if opts.DevIssuer {
		dev, err := auth.LoadDevIssuer(s.URL+devIssuerPath, opts.Audience, opts.DevIssuerKeyFile)
		if err != nil {
			return err
		}
		s.Dev, issuer = dev, dev.Issuer()
		mux.Handle(devIssuerPath+"/", http.StripPrefix(devIssuerPath, dev.Handler()))
	}
	// The verifier fetches the issuer's keys at start, and in demo mode the
	// issuer is this very server: serve first, then build the API.
	apiHandler, pages := &lateHandler{}, &lateHandler{}
	for _, prefix := range apiPaths {
		mux.Handle(prefix, apiHandler)
	}
	mux.Handle("/", pages)
	s.server = &http.Server{Handler: api.Edge(tel.instrument(mux, s.URL)), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	s.server.MaxHeaderBytes = api.ServerMaxHeaderBytes
	s.server.TLSConfig = lns.tls
	go func() {
		// Over plain HTTP (behind a TLS proxy) the listener rewrites the
		// plain-text errors net/http writes itself into problems; over TLS
		// it would see only ciphertext.
		serve := func(ln net.Listener) error { return s.server.Serve(api.ProblemListener(ln)) }
		if lns.tls != nil {
			serve = func(ln net.Listener) error { return s.server.ServeTLS(ln, "", "") } // the certificate is in TLSConfig
		}
		if err := serve(lns.public); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("api server stopped", "err", err)
		}
	}()
	s.serveInternal(lns.internal, tel.handler, apiHandler)
	issuerClient, err := issuerHTTPClient(opts.IssuerCAFile)
	if err != nil {
		return err
	}
	pseudonyms, err := auth.NewPseudonymizer(opts.PseudonymKey)
	if err != nil {
		return err
	}
	vcfg := auth.VerifierConfig{Issuer: issuer, Audience: opts.Audience, Pseudonyms: pseudonyms, HTTPClient: issuerClient, MeterProvider: tel.provider,
		OperatorClaim: opts.OperatorClaim, RegionClaim: opts.RegionClaim, AnalystClaim: opts.AnalystClaim}
	if opts.DevIssuer {
		vcfg.MaxTokenLifetime = auth.DevTokenLifetime // the demo's tokens last longer than the 1 h default
		if vcfg.OperatorClaim == "" {
			vcfg.OperatorClaim = auth.DefaultOperatorClaim // the claim the dev issuer signs
		}
		if vcfg.AnalystClaim == "" {
			vcfg.AnalystClaim = auth.DefaultAnalystClaim
		}
	}
	verifier, err := auth.NewVerifier(ctx, vcfg, s.logger)
	if err != nil {
		return fmt.Errorf("system: identity provider: %w", err)
	}
	s.closers = append(s.closers, verifier.Close) // stops its background key refresh
	sealer, err := auth.NewSealer(opts.SealKey)
	if err != nil {
		return err
	}
	service, err := bookings.New(bookings.Config{
		Regions: sharedRegions{s.Registry, s.regionStatus}, Bookings: s.Store, Pseudonyms: pseudonyms, Sealer: sealer,
		Watch: s.Store.Watch, BookingDeadline: opts.BookingDeadline, Backlog: s.Store, Logger: s.logger,
		Feeds: s.Registry, Queue: s.Store, KindDeadlines: opts.KindDeadlines, Clinic: s.Clinic, Confirmed: s.Store,
		MaxActivePerCitizen: opts.MaxActivePerCitizen, AllowOverlapping: opts.AllowOverlappingBookings,
		Elsewhere: newElsewhereImporter(s.reconcile, s.Registry),
		LeadTimes: s.leadTimes.observe, Index: opts.SlotIndex,
	})
	if err != nil {
		return err
	}
	cb, err := s.newCallbacks(opts, tel, pseudonyms)
	if err != nil {
		return err
	}
	figures, err := s.analyticsService()
	if err != nil {
		return err
	}
	// One limiter for the API and the pages: a caller has one budget.
	limits, err := ratelimit.New(opts.Limits)
	if err != nil {
		return fmt.Errorf("system: %w", err)
	}
	a, err := api.New(api.Config{
		Limiter: limits, Analytics: figures, Bookings: service, Idempotency: s.idempotency, Verifier: verifier, DevIssuer: s.Dev, Audit: s.Audit,
		Ready: s.ready(rt), Logger: s.logger, Limits: opts.Limits, Callbacks: cb, CallbacksElsewhere: lns.callbacks != nil,
		Conformance: s.probes, RegionHealth: s.statusStore,
	})
	if err != nil {
		return err
	}
	if lns.callbacks != nil {
		s.serveCallbacks(lns.callbacks, a, tel)
	}
	s.goRun(func() error { return service.RunSlotIndex(ctx) })
	s.goRun(func() error { return s.purgeCallbacks(ctx, opts.CallbackReplayTTL) })
	s.goRun(func() error { return s.purgeIdempotency(ctx, opts.IdempotencyTTL) })
	s.goRun(func() error { return s.purgeSessions(ctx) })
	s.goRun(func() error { return s.shareRegionReports(ctx, regionReportsEvery) })
	apiHandler.set(a.Handler())
	wh, err := s.newPages(ctx, opts, pagesDeps{service: service, verifier: verifier, issuer: issuer, client: issuerClient, api: a.Handler(),
		analytics: figures, limits: limits})
	if err != nil {
		return err
	}
	if wh == nil {
		wh = a.Handler() // no pages: the API's not-found problem, as before they existed
	}
	pages.set(wh)
	return nil
}

// apiPaths are what the API serves on the public listener; everything
// else is the pages' (broker/web), at "/".
var apiPaths = []string{"/api/", "/healthz", "/readyz", "/problems/", "/contracts/"}

type pagesDeps struct {
	service  *bookings.Service
	verifier *auth.Verifier
	issuer   string
	client   *http.Client
	api      http.Handler // answers programs asking for no page (web.Config.Fallback)
	// analytics serves the analysts' dashboards; limits are the API's.
	analytics *analytics.Service
	limits    *ratelimit.Limiter
}

// newPages builds the citizens' and operators' pages: signed in by the
// dev issuer in the demo, else by the OIDC issuer's authorization-code
// flow when WebOIDC is configured; nil with neither.
func (s *System) newPages(ctx context.Context, opts Options, d pagesDeps) (http.Handler, error) {
	cfg := web.Config{Bookings: d.service, Verifier: d.verifier, Audit: s.Audit, DevIssuer: s.Dev,
		PlainHTTP: opts.WebPlainHTTP, Fallback: d.api, Logger: s.logger,
		Analytics: d.analytics, Sessions: s.sessions, Limits: d.limits, RegionHealth: s.statusStore}
	if s.Dev == nil && opts.WebOIDC != nil {
		o := *opts.WebOIDC
		o.Issuer = d.issuer
		if d.client != nil {
			o.HTTPClient = d.client
		}
		oidc, err := web.DiscoverOIDC(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("system: %w", err)
		}
		cfg.OIDC = oidc
	}
	if cfg.DevIssuer == nil && cfg.OIDC == nil {
		return nil, nil
	}
	w, err := web.New(cfg)
	if err != nil {
		return nil, err
	}
	return w.Handler(), nil
}

// loopbackListen reports whether addr listens on a loopback address only.
func loopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sharedRegions is the registry as citizens see it: the region list and
// MIS from this instance, the status agreed across instances.
type sharedRegions struct {
	*regions.Registry
	view *regionstatus.View
}

func (r sharedRegions) Status(code string) contracts.RegionStatus { return r.view.Status(code) }

// ready reports whether the store takes writes and the consumers run.
func (s *System) ready(rt *runner.Runtime) func(context.Context) error {
	probe := &writeProbe{probe: s.SQL.WriteProbe, every: time.Second}
	return func(ctx context.Context) error {
		select {
		case <-rt.Running():
		default:
			return errors.New("saga consumers not running")
		}
		return probe.check(ctx)
	}
}

// writeProbe writes the store's probe row at most once per every, however
// often /readyz is asked (it is public on the API port): callers in
// between get the last result, so a flood of probes cannot queue writes in
// front of the bookings'.
type writeProbe struct {
	probe func(context.Context) error
	every time.Duration

	mu   sync.Mutex
	at   time.Time
	last error
}

func (p *writeProbe) check(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.at) >= p.every {
		p.last, p.at = p.probe(ctx), time.Now()
	}
	return p.last
}

// serveInternal serves the monitoring endpoints on their own listener, so
// that /metrics (and any later debug or admin page) is never reachable
// through the public API port: /metrics, and the API's /healthz and
// /readyz for probes that use this port.
func (s *System) serveInternal(ln net.Listener, metrics, api http.Handler) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.Handle("GET /healthz", api)
	mux.Handle("GET /readyz", api)
	if s.pprof {
		// Profiles for benchmarks and incidents, on the internal listener
		// only (never routed by the Service's http port or the Ingress).
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	s.internal = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second}
	go func() {
		if err := s.internal.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("internal server stopped", "err", err)
		}
	}()
}

// serverTLS loads the API's certificate, or returns nil for plain HTTP
// when no files are given. A new certificate takes a restart.
func serverTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("system: tls certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// issuerHTTPClient fetches the identity provider's discovery and keys:
// nil (the verifier's default client) without a CA file, else a client
// that trusts only that CA and, like the default, follows no redirect.
func issuerHTTPClient(caFile string) (*http.Client, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("system: auth ca_file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("system: auth ca_file %s holds no PEM certificate", caFile)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Timeout: 10 * time.Second, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, nil
}
