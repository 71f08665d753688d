package soapsim

import (
	"crypto/rand"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // regions' zones must load on hosts without a zoneinfo database

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/soap"
)

// Server is one simulated MIS of the SOAP style. It is safe for concurrent
// use; all mutable state sits behind one mutex.
type Server struct {
	cfg             Config
	loc             *time.Location
	log             *slog.Logger
	facilities      []*facility
	slots           map[string]*slot
	order           []*slot // by start, then id
	requireAttach   map[string]bool
	requireReferral map[string]bool
	faults          atomic.Pointer[missim.Faults]
	handler         http.Handler
	notifier        *missim.Notifier

	mu       sync.Mutex
	sessions map[string]session // by Session_ID
	appts    []*appointment     // appts[i].id == "B-<i+1>"
}

// session is what a Session_ID names: a patient, until it expires
// (Config.SessionTTL after GetPatientInfo opened it).
type session struct {
	patient string // patientKey's "snils:…" or "oms:…"
	expires time.Time
}

// faultSessionExpired answers a call naming a session the MIS no longer
// has, or never had; the call changes nothing.
var faultSessionExpired = clientFault(soap.FaultSessionExpired, "the session is unknown or has expired; open a new one with GetPatientInfo")

// session returns the patient of a live Session_ID; the caller holds mu.
// sessionSweepEvery is how many open sessions, at each multiple, make
// GetPatientInfo drop the expired ones.
const sessionSweepEvery = 1024

func (s *Server) session(id string) (patient string, fault *simFault) {
	ss, ok := s.sessions[id]
	if !ok || !s.cfg.Now().Before(ss.expires) {
		return "", faultSessionExpired
	}
	return ss.patient, nil
}

// appointment is one booking; guarded by Server.mu.
type appointment struct {
	id, patient      string // patient: patientKey's "snils:…" or "oms:…"
	channel          string // BookElsewhere's channel; empty for the broker's
	slot             *slot
	status           string
	created, updated time.Time
	version          int64 // grows with each change at the clinic
}

// New builds the region's directory and schedule from cfg.
func New(cfg Config, logger *slog.Logger) (*Server, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.Quirks.Check(contracts.RegionSOAP); err != nil {
		return nil, fmt.Errorf("soapsim: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	loc, _ := time.LoadLocation(cfg.TimeZone) // Validate checked it
	s := &Server{cfg: cfg, loc: loc, log: logger.With("region", cfg.Region, "kind", "soap"),
		slots: map[string]*slot{}, sessions: map[string]session{},
		requireAttach: set(cfg.RequireAttachment), requireReferral: set(cfg.RequireReferral)}
	s.facilities, s.order = buildWorld(cfg, loc)
	for _, sl := range s.order {
		s.slots[sl.id] = sl
	}
	s.faults.Store(&missim.Faults{})
	s.notifier = missim.NewNotifier(cfg.Region, soapCallback, s.Faults, s.log).WithQuirks(cfg.Quirks)
	s.handler = s.routes()
	s.log.Info("SOAP MIS simulator ready", "slots", len(s.order), "facilities", len(s.facilities))
	return s, nil
}

func set(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Handler serves the SOAP endpoint at "/" (GET /?wsdl gives the WSDL) and
// the admin endpoints under /admin/.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	root := http.NewServeMux()
	root.Handle("/admin/", missim.AdminHandler(s.cfg.AdminToken, s))
	root.HandleFunc("GET /{$}", s.handleWSDL)
	root.HandleFunc("POST /{$}", s.handleSOAP)
	return root
}

// AttachedFacility returns the MO_OID the patient (by SNILS, else OMS) is
// attached to, so tests can exercise RequireAttachment.
func (s *Server) AttachedFacility(snils, oms string) string {
	return s.attached(patientKey(snils, oms)).oid
}

func (s *Server) attached(patient string) *facility {
	h := fnv.New64a()
	h.Write([]byte(patient))
	return s.facilities[h.Sum64()%uint64(len(s.facilities))]
}

func patientKey(snils, oms string) string {
	if snils != "" {
		return "snils:" + snils
	}
	return "oms:" + oms
}

func newSessionID() string { return "SID-" + rand.Text() }
