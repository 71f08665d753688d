package main

// ============================================================================
//  TEST ONLY. "federation test-idp" is a toy OpenID issuer for trying
//  "federation serve" (deploy/compose, the example config): it signs a token
//  for ANY citizen id it is asked for. It runs as its own process, on its own
//  port, never inside the broker; production points auth.issuer at the real
//  identity provider (ESIA).
// ============================================================================

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/fedhealth/federation/broker/auth"
)

func runTestIDP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("test-idp", "Usage: federation test-idp [flags]\n\nTEST ONLY: serves an OpenID issuer (discovery, keys) that signs a token for\nANY citizen on POST /token {\"citizen_id\":\"ivan\"}, for trials of serve.\nNever in production. Flags:")
	listen := fs.String("listen", "127.0.0.1:9400", "address to serve on (loopback unless you mean it)")
	issuer := fs.String("issuer", "", "issuer URL the broker is configured with (auth.issuer); default http(s)://ADDRESS listened on")
	audience := fs.String("audience", "federation", "audience of the tokens (the broker's auth.audience)")
	ttl := fs.Duration("ttl", time.Hour, "lifetime of the tokens it signs")
	certFile := fs.String("tls-cert", "", "PEM certificate to serve https with (with --tls-key)")
	keyFile := fs.String("tls-key", "", "PEM key of --tls-cert")
	var logs logFlags
	logs.register(fs, "info", "auto")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if (*certFile == "") != (*keyFile == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	logger, err := newLogger(stderr, logs.level, logs.format)
	if err != nil {
		return err
	}
	warnIfExposed(stderr, logger, *listen, "this test identity provider signs a token for ANY citizen id")
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	iss := strings.TrimRight(*issuer, "/")
	if iss == "" {
		iss = scheme + "://" + ln.Addr().String()
	}
	dev, err := auth.NewDevIssuer(iss, *audience)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: testIDPHandler(dev, *ttl), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10}
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("tls certificate: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	logger.Warn("TEST identity provider serving: it signs tokens for anyone", "issuer", iss, "listen", ln.Addr().String(), "audience", *audience)
	fmt.Fprintf(stdout, "TEST identity provider %s on %s\n  token: curl -s -X POST %s/token -d '{\"citizen_id\":\"ivan\"}'\n", iss, ln.Addr(), iss)
	select {
	case <-ctx.Done():
	case err := <-errc:
		return err
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

var testCitizenID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// testRegion is a federal subject code, as an operator token's region.
var testRegion = regexp.MustCompile(`^[0-9]{1,3}$`)

// testIDPHandler serves the issuer's discovery and keys (broker/auth's
// DevIssuer handler) and POST /token, which signs a token for the citizen
// named in the body, or, with operator_id and region, for that region's
// operator (the bench's operator bot confirms feed bookings with one).
func testIDPHandler(dev *auth.DevIssuer, ttl time.Duration) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /.well-known/openid-configuration", dev.Handler())
	mux.Handle("GET /jwks.json", dev.Handler())
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			CitizenID  string `json:"citizen_id"`
			OperatorID string `json:"operator_id"`
			Region     string `json:"region"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
		dec.DisallowUnknownFields()
		err := dec.Decode(&req)
		operator := err == nil && req.CitizenID == "" && auth.ValidOperatorID(req.OperatorID) && testRegion.MatchString(req.Region)
		if !operator && (err != nil || !testCitizenID.MatchString(req.CitizenID) || req.OperatorID != "" || req.Region != "") {
			http.Error(w, `want {"citizen_id": 1-64 letters, digits, '.', '_' or '-'} or {"operator_id": …, "region": "27"}`, http.StatusBadRequest)
			return
		}
		var token string
		if operator {
			token, err = dev.IssueOperator(req.OperatorID, req.Region, ttl)
		} else {
			token, err = dev.Issue(req.CitizenID, ttl)
		}
		if err != nil {
			http.Error(w, "cannot sign", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(map[string]any{"token": token, "token_type": "Bearer", "expires_in": int(ttl.Seconds())})
	})
	return mux
}
