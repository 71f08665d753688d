// Package api is the federal booking API citizens reach through the portal:
// regions, slot search, bookings and their history, as JSON over HTTP with
// errors as RFC 9457 problem details (problem.go is the only place that maps
// errors to statuses).
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/store"
	"github.com/go-chi/chi/v5"
)

// Regions is what the API needs of the region registry.
type Regions interface {
	contracts.Directory
	Regions() []contracts.Region
	Status(code string) contracts.RegionStatus
	// Location is the region's time zone, nil for an unknown region.
	Location(code string) *time.Location
}

// IdempotencyStore remembers citizens' requests by Idempotency-Key
// (store.DB implements it).
type IdempotencyStore interface {
	ReserveIdempotencyKey(ctx context.Context, citizen, key, hash string, staleAfter time.Duration) (*store.IdempotencyRecord, error)
	CompleteIdempotencyKey(ctx context.Context, citizen, key string, status int, response []byte) error
	ReleaseIdempotencyKey(ctx context.Context, citizen, key string) error
}

// Config wires the API.
type Config struct {
	Regions     Regions
	Bookings    sagas.Store
	Idempotency IdempotencyStore
	Verifier    *auth.Verifier
	Pseudonyms  *auth.Pseudonymizer
	Sealer      sagas.Sealer
	// Watch, when set, wakes long-polling readers when a booking changes
	// (store.DB.Watch); without it they re-read twice a second.
	Watch func(id string) (<-chan struct{}, func())
	// DevIssuer, when set (demo mode only), serves POST /api/v1/dev/token.
	DevIssuer *auth.DevIssuer
	// BookingDeadline is how long a booking may stay pending; default 2m.
	BookingDeadline time.Duration
	// Metrics serves GET /metrics; Ready reports readiness for GET /readyz.
	Metrics http.Handler
	Ready   func(context.Context) error
	Now     func() time.Time
	Logger  *slog.Logger
}

// Server is the HTTP API. Create with New; serve Handler().
type Server struct {
	cfg    Config
	logger *slog.Logger
	slots  *slotCache
	router chi.Router
}

// New checks cfg and builds the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Regions == nil || cfg.Bookings == nil || cfg.Idempotency == nil || cfg.Verifier == nil ||
		cfg.Pseudonyms == nil || cfg.Sealer == nil {
		return nil, errors.New("api: Regions, Bookings, Idempotency, Verifier, Pseudonyms and Sealer are required")
	}
	if cfg.BookingDeadline == 0 {
		cfg.BookingDeadline = 2 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Ready == nil {
		cfg.Ready = func(context.Context) error { return nil }
	}
	s := &Server{cfg: cfg, logger: cfg.Logger, slots: newSlotCache(100_000, 30*time.Minute, cfg.Now)}
	s.routes()
	return s, nil
}

// Handler returns the API's root handler.
func (s *Server) Handler() http.Handler { return s.router }

func (s *Server) routes() {
	r := chi.NewRouter()
	r.Use(s.correlate, s.trace)
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Get("/readyz", s.ready)
	if s.cfg.Metrics != nil {
		r.Method(http.MethodGet, "/metrics", s.cfg.Metrics)
	}
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, contracts.ErrNotFound)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, problem{Type: problemBase + "method-not-allowed",
			Title: "Method not allowed", Status: http.StatusMethodNotAllowed, Code: "method-not-allowed"})
	})
	r.Route("/api/v1", func(r chi.Router) {
		r.Get("/regions", s.listRegions)
		if s.cfg.DevIssuer != nil {
			r.Post("/dev/token", s.devToken)
		}
		r.Group(func(r chi.Router) {
			r.Use(auth.Middleware(s.cfg.Verifier, s.writeError))
			r.Get("/slots", s.searchSlots)
			r.With(s.idempotent(true)).Post("/bookings", s.createBooking)
			r.Get("/bookings", s.listBookings)
			r.Get("/bookings/{id}", s.getBooking)
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

// citizen returns the caller's pseudonym: bookings are stored and found by
// it, never by the identity provider's subject in clear.
func (s *Server) citizen(r *http.Request) (auth.Citizen, string) {
	c, _ := auth.CitizenFrom(r.Context())
	return c, s.cfg.Pseudonyms.Pseudonym("citizen", c.Subject)
}
