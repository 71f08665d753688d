package rpcsim

import (
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
)

// Server is one simulated MIS of the city JSON-RPC style. It is safe for
// concurrent use; all mutable state sits behind one mutex.
type Server struct {
	cfg             Config
	loc             *time.Location
	log             *slog.Logger
	facilities      []*facility
	slots           map[string]*slot // by slotKey
	order           []*slot          // by start, then resource
	requireAttach   map[string]bool
	requireReferral map[string]bool
	faults          atomic.Pointer[missim.Faults]
	handler         http.Handler
	notifier        *missim.Notifier // sends nothing: jsonrpc has no callbacks

	mu       sync.Mutex
	patients map[string]string // OMS policy -> the birth date it came with first
	appts    []*appointment    // appts[i].id == fmt.Sprint(firstID+i)
}

// appointment is one booking; guarded by Server.mu.
type appointment struct {
	id, oms          string
	slot             *slot
	status           string
	created, updated time.Time
}

// New builds the region's directory and schedule from cfg.
func New(cfg Config, logger *slog.Logger) (*Server, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.Quirks.Check(contracts.RegionJSONRPC); err != nil {
		return nil, fmt.Errorf("rpcsim: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	loc, _ := time.LoadLocation(cfg.TimeZone) // Validate checked it
	s := &Server{cfg: cfg, loc: loc, log: logger.With("region", cfg.Region, "kind", "jsonrpc"),
		slots: map[string]*slot{}, patients: map[string]string{},
		requireAttach: set(cfg.RequireAttachment), requireReferral: set(cfg.RequireReferral)}
	s.facilities, s.order = buildWorld(cfg, loc)
	for _, sl := range s.order {
		s.slots[slotKey(sl.prac.id, sl.start)] = sl
	}
	s.faults.Store(&missim.Faults{})
	s.notifier = missim.NewNotifier(cfg.Region, nil, s.Faults, s.log).WithQuirks(cfg.Quirks)
	s.handler = s.routes()
	s.log.Info("JSON-RPC MIS simulator ready", "slots", len(s.order), "facilities", len(s.facilities))
	return s, nil
}

func set(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Handler serves JSON-RPC at POST / (GET / gives the OpenRPC document) and
// the admin endpoints under /admin/.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	root := http.NewServeMux()
	root.Handle("/admin/", missim.AdminHandler(s.cfg.AdminToken, s))
	root.HandleFunc("GET /{$}", s.handleDocument)
	root.HandleFunc("POST /{$}", s.handleRPC)
	return root
}

// AttachedFacility returns the lpu id (registry OID) the patient of an OMS
// policy is attached to, so tests can exercise RequireAttachment.
func (s *Server) AttachedFacility(oms string) string { return s.attached(oms).oid }

func (s *Server) attached(oms string) *facility {
	h := fnv.New64a()
	h.Write([]byte(oms))
	return s.facilities[h.Sum64()%uint64(len(s.facilities))]
}
