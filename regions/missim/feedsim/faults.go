package feedsim

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// Fault limits: one minute of latency, 4 GiB of padding.
const (
	maxLatencyMS  = 60_000
	maxHugeFileMB = 4096
)

// Faults are the failures the simulator injects into the feed (admin
// endpoints are never affected). The zero value injects nothing.
type Faults struct {
	// Down answers every feed request 503.
	Down bool `json:"down"`
	// LatencyMS is added before every answer.
	LatencyMS int `json:"latency_ms"`
	// ErrorRate is the fraction (0..1) of feed requests answered 500, as
	// a flaky static host.
	ErrorRate float64 `json:"error_rate"`
	// BrokenLineRate is the fraction (0..1) of Slot lines published cut in
	// half; Version says how many.
	BrokenLineRate float64 `json:"broken_line_rate"`
	// ForeignHost, when set ("cdn.example:8080"), makes the manifest list
	// its files on that host instead of the publisher's own.
	ForeignHost string `json:"foreign_host"`
	// HugeFileMB, when positive, makes every Slot file run on with that
	// many MiB of padding lines after its slots.
	HugeFileMB int `json:"huge_file_mb"`
}

// Validate reports the first out-of-range field.
func (f Faults) Validate() error {
	switch {
	case f.LatencyMS < 0 || f.LatencyMS > maxLatencyMS:
		return errors.New("latency_ms must be within 0..60000")
	case !(f.ErrorRate >= 0 && f.ErrorRate <= 1):
		return errors.New("error_rate must be within 0..1")
	case !(f.BrokenLineRate >= 0 && f.BrokenLineRate <= 1):
		return errors.New("broken_line_rate must be within 0..1")
	case strings.ContainsAny(f.ForeignHost, "/?#@ "):
		return errors.New("foreign_host must be a bare host[:port]")
	case f.HugeFileMB < 0 || f.HugeFileMB > maxHugeFileMB:
		return errors.New("huge_file_mb must be within 0..4096")
	}
	return nil
}

// SetFaults replaces the injected faults. A change of BrokenLineRate
// publishes a new version, since it changes the files' content.
func (s *Server) SetFaults(f Faults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	old := s.faults.Swap(&f)
	if old.BrokenLineRate != f.BrokenLineRate {
		s.publish(f)
	}
	s.mu.Unlock()
	s.log.Info("faults set", "down", f.Down, "latency_ms", f.LatencyMS, "error_rate", f.ErrorRate, "broken_line_rate", f.BrokenLineRate,
		"foreign_host", f.ForeignHost, "huge_file_mb", f.HugeFileMB)
	return nil
}

// Faults returns the faults in force.
func (s *Server) Faults() Faults { return *s.faults.Load() }

// withFaults injects Down, ErrorRate and LatencyMS around the feed handlers.
func (s *Server) withFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := s.faults.Load()
		if f.Down {
			http.Error(w, "publisher down (injected fault)", http.StatusServiceUnavailable)
			return
		}
		if f.ErrorRate > 0 && rand.Float64() < f.ErrorRate { // fault timing needs no seed: the drills count outcomes, not which request failed
			http.Error(w, "publisher error (injected fault)", http.StatusInternalServerError)
			return
		}
		if f.LatencyMS > 0 {
			t := time.NewTimer(time.Duration(f.LatencyMS) * time.Millisecond)
			defer t.Stop()
			select {
			case <-r.Context().Done():
				return
			case <-t.C:
			}
		}
		next.ServeHTTP(w, r)
	})
}

// serveHuge writes body and then mb MiB of padding lines, stopping when the
// reader leaves: the reader's size bound must cut it.
func serveHuge(w http.ResponseWriter, r *http.Request, body []byte, mb int) {
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(body); err != nil {
		return
	}
	pad := []byte(strings.Repeat("x", 1023) + "\n")
	for range mb * 1024 {
		if r.Context().Err() != nil {
			return
		}
		if _, err := w.Write(pad); err != nil {
			return
		}
	}
}
