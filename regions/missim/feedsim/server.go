package feedsim

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // regions' zones must load on hosts without a zoneinfo database

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/feed/wire"
	"github.com/fedhealth/federation/regions/missim"
)

// Server is one simulated slot publisher. It is safe for concurrent use.
type Server struct {
	cfg     Config
	loc     *time.Location
	log     *slog.Logger
	faults  atomic.Pointer[Faults]
	handler http.Handler

	mu    sync.Mutex
	world *world
	pub   *publication
}

// New builds the publisher's data from cfg and publishes its first version.
func New(cfg Config, logger *slog.Logger) (*Server, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.Quirks.Check(contracts.RegionFeed); err != nil {
		return nil, fmt.Errorf("feedsim: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("feedsim: time zone: %w", err)
	}
	s := &Server{cfg: cfg, loc: loc, log: logger.With("region", cfg.Region), world: buildWorld(cfg, loc)}
	s.faults.Store(&Faults{})
	s.publish(Faults{})
	s.handler = s.routes()
	s.log.Info("slot feed simulator ready", "slots", len(s.world.slots), "locations", len(s.world.locations))
	return s, nil
}

// Handler serves the manifest at /$bulk-publish (the publisher's base URL
// is the server's URL), the files under /data/, and /admin/.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	feed := http.NewServeMux()
	feed.HandleFunc("GET "+wire.ManifestPath, s.handleManifest)
	feed.HandleFunc("GET /data/{name}", s.handleFile)

	admin := http.NewServeMux()
	admin.HandleFunc("GET /admin/faults", s.handleGetFaults)
	admin.HandleFunc("PUT /admin/faults", s.handlePutFaults)
	admin.HandleFunc("PUT /admin/slots/{id}", s.handlePutSlot)

	root := http.NewServeMux()
	root.Handle("/admin/", missim.AdminAuth(s.cfg.AdminToken, admin))
	root.Handle("/", s.withFaults(feed))
	return root
}

// current returns the publication in force.
func (s *Server) current() *publication {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pub
}

// handleManifest serves the manifest with ETag and Last-Modified;
// http.ServeContent answers 304 to a matching If-None-Match or a recent
// enough If-Modified-Since, as static hosting does.
func (s *Server) handleManifest(w http.ResponseWriter, r *http.Request) {
	p := s.current()
	base := s.baseURL(r)
	fileBase := base
	if h := s.faults.Load().ForeignHost; h != "" {
		fileBase = "http://" + h
	}
	body := p.manifest(base, fileBase, s.cfg.Quirks)
	w.Header().Set("Content-Type", "application/json")
	if s.cfg.Quirks.Has(missim.QuirkNoCacheHeaders) {
		_, _ = w.Write(body) // no validators, every request answered in full
		return
	}
	w.Header().Set("ETag", etagOf(body))
	http.ServeContent(w, r, "", p.published, bytes.NewReader(body))
}

func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// handleFile serves one NDJSON file, or, under the huge-file fault, the
// first Slot file followed by endless padding.
func (s *Server) handleFile(w http.ResponseWriter, r *http.Request) {
	p := s.current()
	f, ok := p.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", wire.NDJSONContentType)
	if mb := s.faults.Load().HugeFileMB; mb > 0 && f.kind == wire.TypeSlot {
		serveHuge(w, r, f.body, mb)
		return
	}
	w.Header().Set("ETag", f.etag)
	http.ServeContent(w, r, "", p.published, bytes.NewReader(f.body))
}

// SetSlotStatus changes one slot as the clinic's own desk would ("free" or
// "busy") and publishes a new version.
func (s *Server) SetSlotStatus(id, status string) error {
	if status != wire.StatusFree && status != wire.StatusBusy {
		return fmt.Errorf("feedsim: status must be %q or %q", wire.StatusFree, wire.StatusBusy)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sl, ok := s.world.byID[id]
	if !ok {
		return fmt.Errorf("feedsim: no slot %q", id)
	}
	if sl.Status != status {
		sl.Status = status
		s.publish(*s.faults.Load())
	}
	return nil
}

// Version returns the number of the publication in force (0 at New) and
// how many Slot lines it broke on purpose (Faults.BrokenLineRate).
func (s *Server) Version() (version, brokenLines int) {
	p := s.current()
	return p.version, p.brokenLines
}

// SlotIDs returns the ids of the published slots with the given status,
// in start order.
func (s *Server) SlotIDs(status string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, sl := range s.world.slots {
		if sl.Status == status {
			out = append(out, sl.ID)
		}
	}
	return out
}
