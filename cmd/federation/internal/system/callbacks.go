package system

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/fedhealth/federation/broker/api"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/callbacks"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/soap"
)

// defaultCallbackReplayTTL is how long the answer to a callback's
// webhook-id is kept: longer than any sender retries (Standard Webhooks
// senders retry for about a day and a half).
const defaultCallbackReplayTTL = 72 * time.Hour

// soapDialect is the soap kind's UpdateAppointmentStatus, built here
// because broker/ may not import regions/.
var soapDialect = callbacks.Dialect{
	Name: "soap", MediaType: "text/xml", ContentType: soap.ContentType, RefusalType: soap.ContentType,
	Decode: soap.DecodeStatusUpdate, Accepted: soap.StatusUpdateAccepted, Refused: soap.StatusUpdateRefused,
}

// callbackDialects are the kinds that send callbacks; jsonrpc converges by
// reconciliation and feed by its operators' actions, so they have none.
var callbackDialects = map[contracts.RegionKind]callbacks.Dialect{
	contracts.RegionFHIR: callbacks.JSONDialect,
	"":                   callbacks.JSONDialect, // a region's kind defaults to fhir
	contracts.RegionSOAP: soapDialect,
}

// CallbackRegions checks the callback secrets against the regions: each
// names a configured region of a kind that sends callbacks.
func CallbackRegions(rs []regions.Config, secrets map[string][]string) ([]callbacks.Region, error) {
	var out []callbacks.Region
	for code, ss := range secrets {
		i := -1
		for j, r := range rs {
			if r.Code == code {
				i = j
			}
		}
		if i < 0 {
			return nil, fmt.Errorf("callbacks: secrets for region %q, which is not configured", code)
		}
		d, ok := callbackDialects[rs[i].Kind]
		if !ok {
			return nil, fmt.Errorf("callbacks: region %s is of kind %s, which sends no callbacks", code, rs[i].Kind)
		}
		if len(ss) == 0 {
			return nil, fmt.Errorf("callbacks: region %s: no secret listed", code)
		}
		for i, sec := range ss {
			if err := callbacks.CheckSecret(sec); err != nil {
				return nil, fmt.Errorf("callbacks: region %s secret %d: %w", code, i+1, err)
			}
		}
		out = append(out, callbacks.Region{Code: code, Dialect: d, Secrets: ss})
	}
	return out, nil
}

// newCallbacks builds the callback handler over this process's stores.
func (s *System) newCallbacks(opts Options, tel *telemetry, keys *auth.Pseudonymizer) (*callbacks.Handler, error) {
	rs, err := CallbackRegions(opts.Regions, opts.CallbackSecrets)
	if err != nil {
		return nil, err
	}
	return callbacks.New(callbacks.Config{Regions: rs, Store: s.callbacks, Publisher: s.Clinic, Keys: keys,
		Rejections: s.statusStore, MeterProvider: tel.provider, Logger: s.logger})
}

// serveCallbacks serves the callback endpoint on its own listener
// (callback_listen), when one is configured.
func (s *System) serveCallbacks(ln net.Listener, a *api.Server, tel *telemetry) {
	s.callbackServer = &http.Server{Handler: api.Edge(tel.instrument(a.CallbackHandler(), s.CallbackURL)),
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second}
	s.callbackServer.MaxHeaderBytes = api.ServerMaxHeaderBytes
	go func() {
		if err := s.callbackServer.Serve(api.ProblemListener(ln)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("callback server stopped", "err", err)
		}
	}()
}

// purgeCallbacks sweeps the answers to callbacks older than ttl, hourly.
func (s *System) purgeCallbacks(ctx context.Context, ttl time.Duration) error {
	t := time.NewTicker(min(time.Hour, max(time.Second, ttl/4)))
	defer t.Stop()
	for {
		n, err := s.callbacks.Purge(ctx, time.Now().Add(-ttl))
		switch {
		case err != nil && ctx.Err() == nil:
			s.logger.Warn("old callback answers not swept", "err", err)
		case n > 0:
			s.logger.Info("old callback answers swept", "count", n, "older_than", ttl)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
