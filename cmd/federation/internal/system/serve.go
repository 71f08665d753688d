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
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/sagas/runner"
)

// devIssuerPath is where the demo's development identity provider lives.
const devIssuerPath = "/dev-idp"

func (s *System) serve(ctx context.Context, ln net.Listener, opts Options, tel *telemetry, rt *runner.Runtime) error {
	mux := http.NewServeMux()
	issuer := opts.Issuer
	if opts.DevIssuer {
		dev, err := auth.NewDevIssuer(s.URL+devIssuerPath, opts.Audience)
		if err != nil {
			return err
		}
		s.Dev, issuer = dev, dev.Issuer()
		mux.Handle(devIssuerPath+"/", http.StripPrefix(devIssuerPath, dev.Handler()))
	}
	// The verifier fetches the issuer's keys at start, and in demo mode the
	// issuer is this very server: serve first, then build the API.
	apiHandler := &lateHandler{}
	mux.Handle("/", apiHandler)
	s.server = &http.Server{Handler: tel.instrument(mux, s.URL), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	go func() {
		if err := s.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("api server stopped", "err", err)
		}
	}()
	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{Issuer: issuer, Audience: opts.Audience, MeterProvider: tel.provider}, s.logger)
	if err != nil {
		return fmt.Errorf("system: identity provider: %w", err)
	}
	pseudonyms, err := auth.NewPseudonymizer(opts.PseudonymKey)
	if err != nil {
		return err
	}
	sealer, err := auth.NewSealer(opts.SealKey)
	if err != nil {
		return err
	}
	service, err := bookings.New(bookings.Config{
		Regions: sharedRegions{s.Registry, s.regionStatus}, Bookings: s.Store, Pseudonyms: pseudonyms, Sealer: sealer,
		Watch: s.Store.Watch, BookingDeadline: opts.BookingDeadline, Logger: s.logger,
	})
	if err != nil {
		return err
	}
	a, err := api.New(api.Config{
		Bookings: service, Idempotency: s.idempotency, Verifier: verifier, DevIssuer: s.Dev,
		Metrics: tel.handler, Ready: s.ready(rt), Logger: s.logger,
	})
	if err != nil {
		return err
	}
	s.goRun(func() error { return s.purgeIdempotency(ctx, opts.IdempotencyTTL) })
	s.goRun(func() error { return s.shareSlotOffsets(ctx, slotOffsetsEvery) })
	apiHandler.set(a.Handler())
	return nil
}

// sharedRegions is the registry as citizens see it: the region list and
// MIS from this instance, the status agreed across instances.
type sharedRegions struct {
	*regions.Registry
	view *regionstatus.View
}

func (r sharedRegions) Status(code string) contracts.RegionStatus { return r.view.Status(code) }

// ready reports whether the store answers and the consumers run.
func (s *System) ready(rt *runner.Runtime) func(context.Context) error {
	return func(ctx context.Context) error {
		select {
		case <-rt.Running():
		default:
			return errors.New("saga consumers not running")
		}
		return s.Store.Ping(ctx)
	}
}
