package missim

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // regions' zones must load on hosts without a zoneinfo database

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
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
	notifier        *Notifier

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
	if err := cfg.Quirks.Check(contracts.RegionFHIR); err != nil {
		return nil, fmt.Errorf("missim: %w", err)
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
	s.inc = renderIncludes(s.world, cfg.Quirks)
	s.faults.Store(&Faults{})
	s.notifier = NewNotifier(cfg.Region, JSONCallback, s.Faults, s.log).WithQuirks(cfg.Quirks)
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

	// The CapabilityStatement and the definitions it points to are public,
	// as FHIR servers keep /metadata: a client reads them before it has
	// credentials, and they say nothing of any patient.
	public := http.NewServeMux()
	public.HandleFunc("GET /metadata", s.handleMetadata)
	for _, typ := range []string{"OperationDefinition", "SearchParameter", "NamingSystem"} {
		public.HandleFunc("GET /"+typ+"/{id}", handleDefinition(typ, s.cfg.Quirks))
	}
	public.Handle("/", s.withAuth(s.withQuirks(api)))

	root := http.NewServeMux()
	root.Handle("/admin/", AdminHandler(s.cfg.AdminToken, s))
	root.Handle("/", s.withFaults(public))
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
// (misv2.SpecialtySystem), therapy first.
func Specialties() []misv2.Coding {
	out := make([]misv2.Coding, len(specialties))
	for i, sp := range specialties {
		out[i] = misv2.Coding{System: misv2.SpecialtySystem, Code: sp.Code, Display: sp.Display}
	}
	return out
}
