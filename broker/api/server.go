// Package api is the federal booking API citizens reach through the portal:
// regions, slot search, bookings and their history, as JSON over HTTP with
// errors as RFC 9457 problem details (problem.go is the only place that maps
// errors to statuses). The API is described by an OpenAPI 3.1 document
// (openapi.yaml, served at /api/v1/openapi.json) that tests hold the router
// and the component tests' answers to; each problem code has a page at
// /problems/{code} (problempages.go), which the problem's type names.
//
// The package also owns what the public edge of the server adds to every
// answer, whatever serves it (edge.go: security and cache headers, the
// header size limit, the start-up answer), and the rewriting of the plain
// answers net/http writes by itself into problems (plainerrors.go). JSON
// bodies and the search query are read strictly (decode.go, slots.go), and
// no problem quotes the request or anything internal.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/broker/idempotency"
	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv1"
	"github.com/go-chi/chi/v5"
)

// Config wires the API.
type Config struct {
	// Bookings runs the citizen use cases behind every citizen endpoint.
	Bookings    *bookings.Service
	Idempotency *idempotency.Store
	Verifier    *auth.Verifier
	// Audit records every access to a citizen's personal data (audit.go).
	Audit *audit.Store
	// DevIssuer, when set (demo mode only), serves POST /api/v1/dev/token.
	DevIssuer *auth.DevIssuer
	// Ready reports readiness for GET /readyz. Metrics are not served here:
	// they go on the process's internal listener, never the public port.
	Ready  func(context.Context) error
	Logger *slog.Logger
	// Limits are the rate limits per citizen and per client address and
	// the cap on long-polls; the zero value is the defaults. Each instance
	// limits on its own (see broker/ratelimit).
	Limits ratelimit.Config
}

// Server is the HTTP API. Create with New; serve Handler().
type Server struct {
	cfg          Config
	logger       *slog.Logger
	router       chi.Router
	docs         documents
	problemPages map[string][]byte
	// releasing and pendingReleases track the keys whose release is being
	// retried (idempotency.go).
	releasing       atomic.Int64
	pendingReleases sync.Map
	limits          *ratelimit.Limiter // nil: no limits (the router tests)
}

// New checks cfg and builds the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Bookings == nil || cfg.Idempotency == nil || cfg.Verifier == nil || cfg.Audit == nil {
		return nil, errors.New("api: Bookings, Idempotency, Verifier and Audit are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Ready == nil {
		cfg.Ready = func(context.Context) error { return nil }
	}
	docs, err := loadDocuments()
	if err != nil {
		return nil, err
	}
	pages, err := renderProblemPages()
	if err != nil {
		return nil, err
	}
	limits, err := ratelimit.New(cfg.Limits)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	s := &Server{cfg: cfg, logger: cfg.Logger, docs: docs, problemPages: pages, limits: limits}
	s.routes()
	return s, nil
}

// Handler returns the API's root handler, with the security headers of
// every answer (Edge adds them for the rest of a server).
func (s *Server) Handler() http.Handler { return secureHeaders(s.router) }

func (s *Server) routes() {
	r := chi.NewRouter()
	r.Use(s.correlate, s.trace, s.limitAddress)
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Get("/readyz", s.ready)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, contracts.ErrNotFound)
	})
	r.MethodNotAllowed(s.methodNotAllowed)
	r.Get("/problems/{code}", s.problemPageHandler)
	r.Get("/contracts/mis/v1/openapi.yaml", serveDocument("application/yaml", misv1.OpenAPI))
	r.Get("/contracts/mis/v1/openapi.json", serveDocument("application/json", s.docs.mis))
	r.Route("/api/v1", func(r chi.Router) {
		r.Get("/openapi.json", serveDocument("application/json", s.docs.api))
		r.Get("/regions", s.listRegions)
		if s.cfg.DevIssuer != nil {
			r.Post("/dev/token", s.devToken)
		}
		r.Group(func(r chi.Router) {
			r.Use(auth.Middleware(s.cfg.Verifier, s.writeError), s.limitCitizen)
			r.Use(s.auditAccess)
			r.Get("/slots", s.searchSlots)
			r.With(s.idempotent(true)).Post("/bookings", s.createBooking)
			r.Get("/bookings", s.listBookings)
			r.With(s.capWaits).Get("/bookings/{id}", s.getBooking)
			r.With(s.idempotent(false)).Post("/bookings/{id}/cancel", s.cancelBooking)
		})
	})
	s.router = r
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Ready(r.Context()); err != nil {
		s.logger.Warn("not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// citizen is the caller, as the auth middleware verified it.
func citizen(r *http.Request) auth.Citizen {
	c, _ := auth.CitizenFrom(r.Context())
	return c
}
