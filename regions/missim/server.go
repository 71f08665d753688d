package missim

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // regions' zones must load on hosts without a zoneinfo database

	"github.com/fedhealth/federation/contracts/misv1"
)

// Server is one simulated regional MIS. It is safe for concurrent use; all
// mutable state sits behind one mutex whose critical sections are map and
// slice look-ups, so it keeps up with thousands of holds per second.
type Server struct {
	cfg             Config
	loc             *time.Location
	log             *slog.Logger
	world           *world
	inc             includes
	requireAttach   map[string]bool
	requireReferral map[string]bool
	faults          atomic.Pointer[Faults]
	handler         http.Handler

	mu    sync.Mutex
	appts []*appointment        // appts[i].id == "A-<i+1>"
	keys  map[string]*keyRecord // by Idempotency-Key
}

// New builds the region's directory and schedule from cfg and returns a
// server with no appointments and no faults.
func New(cfg Config, logger *slog.Logger) (*Server, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("missim: time zone: %w", err)
	}
	s := &Server{
		cfg: cfg, loc: loc, log: logger.With("region", cfg.Region),
		world:           buildWorld(cfg, loc),
		requireAttach:   set(cfg.RequireAttachment),
		requireReferral: set(cfg.RequireReferral),
		keys:            map[string]*keyRecord{},
	}
	s.inc = renderIncludes(s.world)
	s.faults.Store(&Faults{})
	s.handler = s.routes()
	s.log.Info("MIS simulator ready", "slots", len(s.world.slots),
		"facilities", len(s.world.facilities), "practitioners", len(s.world.practitioners))
	return s, nil
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Handler serves the contract at the root path (the MIS base URL is the
// server's URL) and the admin endpoints under /admin/.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /Slot", s.handleSearch)
	api.HandleFunc("POST /Appointment/$hold", s.handleHold)
	api.HandleFunc("POST /Appointment/{id}/$book", s.handleBook)
	api.HandleFunc("POST /Appointment/{id}/$cancel", s.handleCancel)
	api.HandleFunc("GET /Appointment/{id}", s.handleRead)
	api.HandleFunc("GET /Appointment", s.handleFind)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errNotFound("no such operation: "+r.Method+" "+r.URL.Path))
	})

	admin := http.NewServeMux()
	admin.HandleFunc("GET /admin/appointments", s.handleAdminAppointments)
	admin.HandleFunc("GET /admin/faults", s.handleGetFaults)
	admin.HandleFunc("PUT /admin/faults", s.handlePutFaults)

	root := http.NewServeMux()
	root.Handle("/admin/", s.withAdminAuth(admin))
	root.Handle("/", s.withFaults(s.withAuth(api)))
	return root
}

// AttachedLocation returns the id of the Location ("L-2") a patient is
// attached to for primary care, so tests can exercise RequireAttachment.
// The patient is given by SNILS, or by OMS number when snils is "".
func (s *Server) AttachedLocation(snils, oms string) string {
	return s.attachedFacility(patient{snils: snils, oms: oms}).id
}

// AttachedFacilityOID is AttachedLocation as the facility's registry OID,
// the id a contracts.Slot's Facility carries.
func (s *Server) AttachedFacilityOID(snils, oms string) string {
	return s.attachedFacility(patient{snils: snils, oms: oms}).oid
}

// Specialties returns the simulator's specialty directory
// (misv1.SpecialtySystem), therapist first.
func Specialties() []misv1.Coding {
	out := make([]misv1.Coding, len(specialties))
	for i, sp := range specialties {
		out[i] = misv1.Coding{System: misv1.SpecialtySystem, Code: sp.Code, Display: sp.Display}
	}
	return out
}
