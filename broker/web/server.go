package web

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/broker/ratelimit"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config wires the pages.
type Config struct {
	// Bookings runs every use case the pages offer.
	Bookings *bookings.Service
	// Verifier checks the session's token on every request.
	Verifier *auth.Verifier
	// Audit records the accesses to citizens' data, as the API's do.
	Audit *audit.Store
	// DevIssuer, when set (demo mode only), signs tokens for the test
	// citizen or operator the sign-in form names.
	DevIssuer *auth.DevIssuer
	// OIDC, when set, signs in through a real OpenID Connect issuer.
	// Exactly one of DevIssuer and OIDC is required.
	OIDC *OIDC
	// PlainHTTP drops the Secure flag of the session cookie: only for the
	// demo served over plain HTTP on loopback, where browsers would
	// otherwise never send it back.
	PlainHTTP bool
	// Fallback, when set, answers a request for no page of this package
	// from a client that does not ask for HTML (the API's not-found
	// problem, for programs probing the server); browsers get the
	// not-found page.
	Fallback http.Handler
	// Analytics, when set, serves the ministry analysts' dashboards at
	// /analytics (analytics.go); nil: no dashboards.
	Analytics *analytics.Service
	// Sessions keeps the sessions; nil is this process's memory, which
	// does for one instance alone (a SessionStore shares them).
	Sessions scs.Store
	// Limits, when set, holds the pages to the API's rate limits: per
	// client address before anything, per signed-in caller after the
	// sign-in check. Share the API's Limiter, so a caller has one budget.
	// It also reads the client's address behind trusted proxies for the
	// audit trail; nil: no limits and the peer's address.
	Limits *ratelimit.Limiter
	// IdleTimeout ends a session unused this long; default 30 minutes.
	IdleTimeout time.Duration
	Logger      *slog.Logger
	// RegionHealth, when set, shows operators their region's refused
	// status callbacks (operatorregion.go); nil: no such section.
	RegionHealth RegionHealth
}

// Server serves the pages. Create with New; serve Handler().
type Server struct {
	cfg      Config
	sessions *scs.SessionManager
	pages    pages
	zones    map[string]*time.Location // by region code
	mux      *http.ServeMux
}

// New checks cfg, parses the templates and builds the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Bookings == nil || cfg.Verifier == nil || cfg.Audit == nil {
		return nil, errors.New("web: Bookings, Verifier and Audit are required")
	}
	if (cfg.DevIssuer == nil) == (cfg.OIDC == nil) {
		return nil, errors.New("web: exactly one of DevIssuer and OIDC is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	zones, err := zonesOf(cfg.Bookings.Regions())
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, sessions: newSessions(cfg.Sessions, cfg.PlainHTTP, cfg.IdleTimeout), pages: p, zones: zones}
	s.routes()
	return s, nil
}

// Handler is the pages' root handler: sessions, then the CSRF defence,
// then the routes.
func (s *Server) Handler() http.Handler {
	pages := s.limitAddress(s.sessions.LoadAndSave(s.protect(s.mux)))
	if s.cfg.Fallback == nil {
		return pages
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := s.mux.Handler(r); pattern == "/" && !wantsHTML(r) {
			s.cfg.Fallback.ServeHTTP(w, r)
			return
		}
		pages.ServeHTTP(w, r)
	})
}

// wantsHTML reports whether the request asks for HTML, as a browser's
// navigation does.
func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

func (s *Server) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static))))
	m.HandleFunc("GET /{$}", s.home)
	m.HandleFunc("GET /lang/{lang}", s.switchLanguage)
	m.HandleFunc("GET /signin", s.signInPage)
	m.HandleFunc("POST /signin", s.devSignIn)
	m.HandleFunc("POST /signin/operator", s.devOperatorSignIn)
	m.HandleFunc("POST /signin/analyst", s.devAnalystSignIn)
	m.HandleFunc("GET /signin/oidc", s.oidcStart)
	m.HandleFunc("GET /signin/callback", s.oidcCallback)
	m.HandleFunc("POST /signout", s.signOut)
	m.HandleFunc("GET /search", s.citizen(s.search))
	m.HandleFunc("POST /book", s.citizen(s.book))
	m.HandleFunc("GET /appointments", s.citizen(s.appointments))
	m.HandleFunc("GET /bookings/{id}", s.citizen(s.bookingPage))
	m.HandleFunc("GET /bookings/{id}/status", s.citizen(s.bookingStatus))
	m.HandleFunc("POST /bookings/{id}/cancel", s.citizen(s.cancel))
	m.HandleFunc("POST /bookings/{id}/reschedule", s.citizen(s.reschedule))
	m.HandleFunc("GET /operator", s.operator(s.queue))
	m.HandleFunc("POST /operator/bookings/{id}/confirm", s.operator(s.confirm))
	m.HandleFunc("POST /operator/bookings/{id}/decline", s.operator(s.decline))
	m.HandleFunc("POST /operator/bookings/{id}/acknowledge", s.operator(s.acknowledge))
	m.HandleFunc("POST /operator/bookings/{id}/patient", s.operator(s.patient))
	m.HandleFunc("POST /operator/bookings/{id}/status", s.operator(s.clinicStatus))
	if s.cfg.Analytics != nil {
		s.analyticsRoutes(m)
	}
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errNotFound)
	})
	s.mux = m
}

func cacheFor(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age="+itoa(int(d/time.Second)))
		h.ServeHTTP(w, r)
	})
}

// home sends the reader where they work: a citizen to the search, an
// operator to the queue, anyone else to sign in.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	p, ok := s.principal(r)
	switch {
	case !ok:
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
	case p.Role == auth.RoleOperator:
		http.Redirect(w, r, "/operator", http.StatusSeeOther)
	case p.Role == auth.RoleAnalyst:
		http.Redirect(w, r, "/analytics", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/search", http.StatusSeeOther)
	}
}

// citizen serves h to a signed-in citizen only; anyone signed out is sent
// to sign in, an operator gets the wrong-role page.
func (s *Server) citizen(h func(http.ResponseWriter, *http.Request, auth.Citizen)) http.HandlerFunc {
	return signedIn(s, auth.RoleCitizen, auth.WithCitizen, func(p auth.Principal) auth.Citizen { return p.Citizen }, h)
}

// analyst serves h to a signed-in ministry analyst only; a citizen or an
// operator gets the wrong-role page (403).
func (s *Server) analyst(h func(http.ResponseWriter, *http.Request, auth.Analyst)) http.HandlerFunc {
	return signedIn(s, auth.RoleAnalyst, auth.WithAnalyst, func(p auth.Principal) auth.Analyst { return p.Analyst }, h)
}

// operator serves h to a signed-in regional operator only.
func (s *Server) operator(h func(http.ResponseWriter, *http.Request, auth.Operator)) http.HandlerFunc {
	return signedIn(s, auth.RoleOperator, auth.WithOperator, func(p auth.Principal) auth.Operator { return p.Operator }, h)
}

// signedIn serves h to a signed-in caller of role only, with who (of the
// session's principal) in the request's context as the API's middleware
// puts it there; anyone signed out is sent to sign in, another role gets
// the wrong-role page, and a caller over their budget the 429 page.
func signedIn[P any](s *Server, role auth.Role, with func(context.Context, P) context.Context, who func(auth.Principal) P,
	h func(http.ResponseWriter, *http.Request, P)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.principal(r)
		switch {
		case !ok:
			s.toSignIn(w, r)
		case p.Role != role:
			s.fail(w, r, auth.ErrWrongRole)
		default:
			r = r.WithContext(with(r.Context(), who(p)))
			if s.limitCaller(w, r) {
				h(w, r, who(p))
			}
		}
	}
}

func (s *Server) toSignIn(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		s.fail(w, r, auth.ErrUnauthenticated)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
