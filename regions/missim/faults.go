package missim

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"time"
)

// maxLatencyMS caps injected latency at one minute.
const maxLatencyMS = 60_000

// Faults are the failures the simulator injects into contract calls (admin
// endpoints are never affected). The zero value injects nothing.
type Faults struct {
	// Down makes every contract call answer 503 at once.
	Down bool `json:"down"`
	// LatencyMS is added before every answer.
	LatencyMS int `json:"latency_ms"`
	// ErrorRate is the fraction (0..1) of calls answered 500 without
	// doing anything.
	ErrorRate float64 `json:"error_rate"`
	// TimeoutAfterCommitRate is the fraction (0..1) of state-changing calls
	// (POST) that take effect and then never answer: the request blocks
	// until the client gives up, as when a network drops the response.
	TimeoutAfterCommitRate float64 `json:"timeout_after_commit_rate"`
	// ErrorAfterCommitRate is the fraction (0..1) of state-changing calls
	// (POST) that take effect and are then answered 500, as an MIS that
	// commits and fails while it writes its answer.
	ErrorAfterCommitRate float64 `json:"error_after_commit_rate"`
	// ReadErrorRate is the fraction (0..1) of reads (GET) answered 500, so
	// that a lost answer cannot be read back either.
	ReadErrorRate float64 `json:"read_error_rate"`
	// CallbackDropRate is the fraction (0..1) of status callbacks never
	// sent (the change is made at the MIS all the same), as a sender that
	// lost them: reconciliation is what catches those.
	CallbackDropRate float64 `json:"callback_drop_rate"`
	// CallbackDuplicateRate is the fraction (0..1) of status callbacks
	// sent twice with one webhook-id, as a sender retrying after a lost
	// answer.
	CallbackDuplicateRate float64 `json:"callback_duplicate_rate"`
}

// Validate reports the first out-of-range field.
func (f Faults) Validate() error {
	switch {
	case f.LatencyMS < 0 || f.LatencyMS > maxLatencyMS:
		return errors.New("latency_ms must be within 0..60000")
	case !(f.ErrorRate >= 0 && f.ErrorRate <= 1):
		return errors.New("error_rate must be within 0..1")
	case !(f.TimeoutAfterCommitRate >= 0 && f.TimeoutAfterCommitRate <= 1):
		return errors.New("timeout_after_commit_rate must be within 0..1")
	case !(f.ErrorAfterCommitRate >= 0 && f.ErrorAfterCommitRate <= 1):
		return errors.New("error_after_commit_rate must be within 0..1")
	case !(f.ReadErrorRate >= 0 && f.ReadErrorRate <= 1):
		return errors.New("read_error_rate must be within 0..1")
	case !(f.CallbackDropRate >= 0 && f.CallbackDropRate <= 1) || !(f.CallbackDuplicateRate >= 0 && f.CallbackDuplicateRate <= 1):
		return errors.New("callback_drop_rate and callback_duplicate_rate must be within 0..1")
	}
	return nil
}

// SetFaults replaces the injected faults; calls in flight keep the old ones.
func (s *Server) SetFaults(f Faults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s.faults.Store(&f)
	s.log.Info("faults set", "down", f.Down, "latency_ms", f.LatencyMS,
		"error_rate", f.ErrorRate, "timeout_after_commit_rate", f.TimeoutAfterCommitRate, "error_after_commit_rate", f.ErrorAfterCommitRate, "read_error_rate", f.ReadErrorRate)
	return nil
}

// Faults returns the faults in force.
func (s *Server) Faults() Faults { return *s.faults.Load() }

// withFaults injects the configured faults around the contract handlers.
func (s *Server) withFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := s.faults.Load()
		switch {
		case f.Down:
			writeError(w, errUnavailable)
			return
		case f.LatencyMS > 0 && !sleep(r, time.Duration(f.LatencyMS)*time.Millisecond):
			return
		case f.ErrorRate > 0 && rand.Float64() < f.ErrorRate:
			writeError(w, errInternal)
			return
		case r.Method == http.MethodGet && f.ReadErrorRate > 0 && rand.Float64() < f.ReadErrorRate:
			writeError(w, errInternal)
			return
		case r.Method == http.MethodPost && f.ErrorAfterCommitRate > 0 && rand.Float64() < f.ErrorAfterCommitRate:
			next.ServeHTTP(discardWriter{h: http.Header{}}, r)
			writeError(w, errInternal) // committed, and then the answer is a failure
			return
		case r.Method == http.MethodPost && f.TimeoutAfterCommitRate > 0 && rand.Float64() < f.TimeoutAfterCommitRate:
			next.ServeHTTP(discardWriter{h: http.Header{}}, r)
			<-r.Context().Done() // the answer is lost; hold the connection until the client leaves
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sleep waits d or until the client leaves; false means it left.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// discardWriter swallows the answer of a call whose response is "lost".
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}
