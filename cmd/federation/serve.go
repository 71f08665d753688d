package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/contracts"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "Usage: federation serve --config FILE [flags]\n\nRuns the broker from a YAML config: Kafka (embedded or a cluster), the store,\nthe identity provider and the region registry. Flags:")
	path := fs.String("config", "", "YAML configuration file (see deploy/federation.example.yaml)")
	var logs logFlags
	logs.register(fs, "", "") // empty: the config's log_level and log_format
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *path == "" {
		fs.Usage()
		return fmt.Errorf("--config is required")
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	if err := cfg.checkServe(); err != nil {
		return fmt.Errorf("config %s: %w", *path, err)
	}
	logger, err := newLogger(stderr, cmp.Or(logs.level, cfg.LogLevel), cmp.Or(logs.format, cfg.LogFormat))
	if err != nil {
		return err
	}
	opts, err := cfg.options(logger)
	if err != nil {
		return err
	}
	for _, w := range serveWarnings(opts) {
		logger.Warn(w)
	}
	if cfg.Tracing.OTLPEndpoint != "" {
		tp, err := newTracerProvider(ctx, cfg.Tracing.OTLPEndpoint, cfg.Tracing.SampleRatio)
		if err != nil {
			return err
		}
		defer tp.Shutdown(context.WithoutCancel(ctx))
		opts.TracerProvider = tp
	}
	tuneGC()
	sys, err := system.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer sys.Close()
	logger.Info("federation broker serving", "url", sys.URL, "internal", sys.InternalURL, "kafka", sys.KafkaAddrs, "regions", len(opts.Regions))
	fmt.Fprintf(stdout, "federation broker serving at %s (metrics and probes at %s)\n", sys.URL, sys.InternalURL)
	<-ctx.Done()
	logger.Info("shutting down")
	return nil
}

// checkServe refuses what production must not run with, every problem at
// once: the demo's development issuer, a missing issuer or audience, plain
// http to an MIS that is not on this host, a region without MIS
// credentials. (Inline secrets are refused by loadConfig for every command.)
func (c *fileConfig) checkServe() error {
	var errs []error
	if c.Auth.DevIssuer {
		errs = append(errs, errors.New(`auth.dev_issuer is for "federation demo" only: set auth.issuer to your OIDC issuer (for a trial, run "federation test-idp" as its own service)`))
	}
	if c.Auth.Issuer == "" {
		errs = append(errs, errors.New("auth.issuer is required: the OIDC issuer whose tokens identify citizens"))
	}
	if c.Auth.Audience == "" {
		errs = append(errs, errors.New("auth.audience is required: this API's client id at the identity provider"))
	}
	for _, r := range c.Regions {
		if r.Kind == contracts.RegionFeed {
			// Published slots need no credentials, but a plain-http feed
			// could be rewritten on the way: https except on this host.
			if u, err := url.Parse(r.Feed.BaseURL); err == nil && u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
				errs = append(errs, fmt.Errorf("region %s: feed.base_url %s is plain http to another host: use https", r.Code, r.Feed.BaseURL))
			}
			continue
		}
		if r.Kind == contracts.RegionJSONRPC {
			if u, err := url.Parse(r.JSONRPC.Endpoint); err == nil && u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
				errs = append(errs, fmt.Errorf("region %s: jsonrpc.endpoint %s is plain http to another host: use https", r.Code, r.JSONRPC.Endpoint))
			}
			if r.JSONRPC.BearerToken == "" && !r.JSONRPC.TLS.ClientCertificate() {
				errs = append(errs, fmt.Errorf("region %s: the MIS needs credentials: jsonrpc.bearer_token (env:NAME or file:PATH) or jsonrpc.tls cert_file and key_file (mutual TLS)", r.Code))
			}
			continue
		}
		if r.Kind == contracts.RegionSOAP {
			if u, err := url.Parse(r.SOAP.Endpoint); err == nil && u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
				errs = append(errs, fmt.Errorf("region %s: soap.endpoint %s is plain http to another host: use https", r.Code, r.SOAP.Endpoint))
			}
			if r.SOAP.BearerToken == "" && !r.SOAP.TLS.ClientCertificate() {
				errs = append(errs, fmt.Errorf("region %s: the MIS needs credentials: soap.bearer_token (env:NAME or file:PATH) or soap.tls cert_file and key_file (mutual TLS)", r.Code))
			}
			continue
		}
		if u, err := url.Parse(r.MIS.BaseURL); err == nil && u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
			errs = append(errs, fmt.Errorf("region %s: mis.base_url %s is plain http to another host: use https", r.Code, r.MIS.BaseURL))
		}
		if r.MIS.BearerToken == "" && !r.MIS.TLS.ClientCertificate() {
			errs = append(errs, fmt.Errorf("region %s: the MIS needs credentials: mis.bearer_token (env:NAME or file:PATH) or mis.tls cert_file and key_file (mutual TLS)", r.Code))
		}
	}
	return errors.Join(errs...)
}

// serveWarnings are settings serve runs with that expose data on the
// network: PostgreSQL or Kafka on another host without TLS.
func serveWarnings(opts system.Options) []string {
	var out []string
	if host, mode := postgresTLS(opts.PostgresURL); opts.PostgresURL != "" && !isLoopbackHost(host) &&
		slices.Contains([]string{"disable", "allow", "prefer"}, mode) {
		out = append(out, fmt.Sprintf("PostgreSQL at %s with sslmode=%s: the connection can be read or changed on the network; use sslmode=verify-full (or require)", host, mode))
	}
	if opts.KafkaSecurity.TLS == nil && slices.ContainsFunc(opts.KafkaBrokers, func(b string) bool {
		host, _, _ := net.SplitHostPort(b)
		return !isLoopbackHost(host)
	}) {
		out = append(out, "Kafka connections are plaintext: set kafka.tls (and kafka.sasl) unless the network is private to this system")
	}
	return out
}

// postgresTLS reads the host and sslmode of a PostgreSQL URL or
// keyword/value string; the mode defaults as libpq's does ($PGSSLMODE,
// else prefer, which does not verify the server).
func postgresTLS(dsn string) (host, mode string) {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		host, mode = u.Hostname(), u.Query().Get("sslmode")
	} else {
		for _, kv := range strings.Fields(dsn) {
			switch k, v, _ := strings.Cut(kv, "="); k {
			case "host":
				host = v
			case "sslmode":
				mode = v
			}
		}
	}
	if strings.HasPrefix(host, "/") {
		host = "localhost" // a Unix socket never leaves the machine
	}
	return host, cmp.Or(mode, os.Getenv("PGSSLMODE"), "prefer")
}

// isLoopbackHost reports whether host names this machine only: localhost
// or a loopback address. "" (every interface) is not loopback.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveGCPercent is the garbage collector's target for serve unless GOGC
// says otherwise: the heap may grow to three times what is live before a
// collection (Go's default is twice). The broker's live heap is small and
// steady (tens of MiB), and at the default the collector took a twentieth
// of its CPU under load.
const serveGCPercent = 200

// tuneGC sets serveGCPercent when the environment sets no GOGC.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
}
