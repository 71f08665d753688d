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
	"github.com/fedhealth/federation/broker/analytics"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/broker/callbacks"
	"github.com/fedhealth/federation/broker/idempotency"
	"github.com/fedhealth/federation/broker/probes"
	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
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
	// Callbacks serves the regions' status callbacks (nil: every region is
	// answered 404). CallbacksElsewhere leaves them to a listener of their
	// own (CallbackHandler), so the API listener does not serve them.
	Callbacks          *callbacks.Handler
	CallbacksElsewhere bool
	// Analytics answers the analysts' /api/v1/analytics/ endpoints (nil:
	// not served).
	Analytics *analytics.Service
	// Limits are the rate limits per citizen and per client address and
	// the cap on long-polls; the zero value is the defaults. Each instance
	// limits on its own (see broker/ratelimit).
	Limits ratelimit.Config
	// Conformance reads the live conformance probes' results (nil: every
	// region's are answered 404).
	Conformance probes.Reader
	// Limiter, when set, is used instead of one built from Limits: the
	// system shares one with the pages, so a caller has one budget.
	Limiter *ratelimit.Limiter
	// RegionHealth supplies the refused status callbacks the operators'
	// region view shows (operatorregion.go; nil: none counted).
	RegionHealth RegionHealth
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
	limits := cfg.Limiter
	if limits == nil {
		var err error
		if limits, err = ratelimit.New(cfg.Limits); err != nil {
			return nil, fmt.Errorf("api: %w", err)
		}
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
	// The path names the contract's major version (misv2.Version): a
	// vendor's link to v2 keeps meaning version 2 when a version 3 comes.
	r.Get("/contracts/mis/v2/openapi.yaml", serveDocument("application/yaml", misv2.OpenAPI))
	r.Get("/contracts/mis/v2/openapi.json", serveDocument("application/json", s.docs.mis))
	r.Route("/api/v1", func(r chi.Router) {
		r.Get("/openapi.json", serveDocument("application/json", s.docs.api))
		r.Get("/regions", s.listRegions)
		if !s.cfg.CallbacksElsewhere {
			r.Post("/callbacks/{region}", s.callback) // the MIS's; signed, not signed in (callbacks.go)
		}
		if s.cfg.DevIssuer != nil {
			r.Post("/dev/token", s.devToken)
		}
		r.Group(func(r chi.Router) {
			// Audited before the role is checked: a token of the other role
			// probing these endpoints is in the trail too.
			r.Use(auth.Middleware(s.cfg.Verifier, s.writeError), s.limitCitizen)
			r.Use(s.auditAccess, auth.RequireRole(auth.RoleCitizen, s.writeError))
			r.Get("/slots", s.searchSlots)
			r.With(s.idempotent(true)).Post("/bookings", s.createBooking)
			r.Get("/bookings", s.listBookings)
			r.With(s.capWaits).Get("/bookings/{id}", s.getBooking)
			r.With(s.idempotent(false)).Post("/bookings/{id}/cancel", s.cancelBooking)
			r.With(s.idempotent(true)).Post("/bookings/{id}/reschedule", s.rescheduleBooking)
		})
		if s.cfg.Analytics != nil {
			// The ministry's analysts: aggregate figures only (analytics.go).
			r.Group(func(r chi.Router) {
				r.Use(auth.Middleware(s.cfg.Verifier, s.writeError), s.limitCitizen)
				r.Use(s.auditAccess, auth.RequireRole(auth.RoleAnalyst, s.writeError))
				s.analyticsRoutes(r)
			})
		}
		// The live probes' results, for analysts and the region's
		// operators (conformance.go).
		r.Group(func(r chi.Router) {
			r.Use(auth.Middleware(s.cfg.Verifier, s.writeError), s.limitCitizen)
			r.Use(s.auditAccess, s.mayReadConformance)
			r.Get("/regions/{code}/conformance", s.readConformance)
		})
		// The regional operators' queue of feed bookings (operator.go).
		r.Group(func(r chi.Router) {
			r.Use(auth.Middleware(s.cfg.Verifier, s.writeError), s.limitCitizen)
			r.Use(s.auditAccess, auth.RequireRole(auth.RoleOperator, s.writeError))
			r.Get("/operator/queue", s.readQueue)
			r.Get("/operator/region", s.readOperatorRegion)
			r.Get("/operator/bookings/{id}/patient", s.readPatient)
			r.With(s.idempotent(true)).Post("/operator/bookings/{id}/confirm", s.confirmBooking)
			r.With(s.idempotent(true)).Post("/operator/bookings/{id}/decline", s.declineBooking)
			r.With(s.idempotent(true)).Post("/operator/bookings/{id}/acknowledge", s.acknowledgeCancellation)
			r.With(s.idempotent(true)).Post("/operator/bookings/{id}/status", s.recordClinicStatus)
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

// operator is the calling operator, as the auth middleware verified it.
func operator(r *http.Request) auth.Operator {
	op, _ := auth.OperatorFrom(r.Context())
	return op
}

// callerKey names the signed-in caller for the rate limits (shared with
// the pages: ratelimit.CallerKey).
func callerKey(r *http.Request) string { return ratelimit.CallerKey(r.Context()) }

// owner names the caller as the owner of its idempotency keys: the
// citizen's keyed pseudonym, or the operator's region and id, so an
// operator's keys and a citizen's never meet.
func (s *Server) owner(r *http.Request) string {
	if op, ok := auth.OperatorFrom(r.Context()); ok {
		return "operator:" + op.Region + ":" + op.ID
	}
	if a, ok := auth.AnalystFrom(r.Context()); ok {
		return "analyst:" + a.ID
	}
	return s.cfg.Bookings.CitizenKey(citizen(r))
}
