package rpcsim

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/missim"
)

// maxRequest bounds a request body.
const maxRequest = 1 << 20

// rpcErr is an error object with the HTTP status it is sent with.
type rpcErr struct {
	status int
	jsonrpc.Error
}

func fail(code int, message string) *rpcErr {
	return &rpcErr{status: http.StatusOK, Error: jsonrpc.Error{Code: code, Message: message}}
}

var (
	errBusy             = fail(jsonrpc.CodeBusy, "the MIS is busy; nothing was changed")
	errAfterCommit      = &rpcErr{status: http.StatusInternalServerError, Error: jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: "internal error"}}
	errParse            = fail(jsonrpc.CodeParseError, "parse error")
	errNotOneCall       = fail(jsonrpc.CodeInvalidRequest, "one call per request, with jsonrpc 2.0, an id and a method")
	errMethodNotFound   = fail(jsonrpc.CodeMethodNotFound, "method not found")
	errSlotTaken        = fail(jsonrpc.CodeSlotTaken, "the slot is already booked")
	errSlotUnknown      = fail(jsonrpc.CodeSlotUnknown, "the resource has no slot at that time")
	errPatientUnknown   = fail(jsonrpc.CodePatientUnknown, "no patient with that OMS policy and birth date")
	errApptUnknown      = fail(jsonrpc.CodeAppointmentUnknown, "no such appointment")
	errReferralRequired = fail(jsonrpc.CodeReferralRequired, "a referral is required for this specialty")
	errNotAttached      = fail(jsonrpc.CodeNotAttached, "the patient is not attached to this organisation")
)

func invalidParams(why string) *rpcErr { return fail(jsonrpc.CodeInvalidParams, why) }

// method is one served method: it decodes its params and answers.
type method struct {
	changes bool // subject to commit-then-no-answer and commit-then-error
	run     func(s *Server, params json.RawMessage) (any, *rpcErr)
}

var methods = map[string]method{
	jsonrpc.MethodSchedule:   {run: decodeRun((*Server).schedule)},
	jsonrpc.MethodCreate:     {changes: true, run: decodeRun((*Server).create)},
	jsonrpc.MethodCancel:     {changes: true, run: decodeRun((*Server).cancel)},
	jsonrpc.MethodShift:      {changes: true, run: decodeRun((*Server).shift)},
	jsonrpc.MethodReceptions: {run: decodeRun((*Server).receptions)},
}

// Methods lists the methods the simulator serves (rpc.discover aside).
func Methods() []string {
	out := make([]string, 0, len(methods))
	for name := range methods {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// decodeRun adapts a typed method to a served one. Unknown params are
// refused, as a strict server does: a misspelt filter must not widen a
// search silently.
func decodeRun[P any](fn func(*Server, *P) (any, *rpcErr)) func(*Server, json.RawMessage) (any, *rpcErr) {
	return func(s *Server, raw json.RawMessage) (any, *rpcErr) {
		p := new(P)
		if len(raw) > 0 {
			d := json.NewDecoder(bytes.NewReader(raw))
			d.DisallowUnknownFields()
			if err := d.Decode(p); err != nil {
				return nil, invalidParams("params do not decode: " + err.Error())
			}
		}
		return fn(s, p)
	}
}

// handleDocument serves the OpenRPC document at GET /.
func (s *Server) handleDocument(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Quirks.Has(missim.QuirkNoMetadata) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", jsonrpc.ContentType)
	_, _ = w.Write(jsonrpc.OpenRPC)
}

// handleRPC serves POST /: authentication, the call, then the faults in
// force, then the method.
func (s *Server) handleRPC(w http.ResponseWriter, r *http.Request) {
	if tok := s.cfg.BearerToken; tok != "" && !s.cfg.Quirks.Has(missim.QuirkOpenAccess) && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+tok)) != 1 {
		http.Error(w, "bearer token required", http.StatusUnauthorized)
		return
	}
	f := s.faults.Load()
	switch {
	case f.Down:
		http.Error(w, "the MIS is unavailable", http.StatusServiceUnavailable)
		return
	case f.LatencyMS > 0 && !sleep(r, time.Duration(f.LatencyMS)*time.Millisecond):
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxRequest))
	if err != nil {
		return
	}
	var req jsonrpc.Request
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '[':
		s.writeAnswer(w, nil, nil, errNotOneCall, false) // this MIS serves no batches
		return
	case json.Unmarshal(raw, &req) != nil:
		s.writeAnswer(w, nil, nil, errParse, false)
		return
	case req.JSONRPC != jsonrpc.Version || len(req.ID) == 0 || string(req.ID) == "null" || req.Method == "":
		s.writeAnswer(w, req.ID, nil, errNotOneCall, false)
		return
	case req.Method == "rpc.discover" && !s.cfg.Quirks.Has(missim.QuirkNoMetadata):
		s.writeAnswer(w, req.ID, json.RawMessage(jsonrpc.OpenRPC), nil, false)
		return
	}
	m, known := methods[req.Method]
	switch {
	case !known:
		s.writeAnswer(w, req.ID, nil, errMethodNotFound, false)
		return
	case f.ErrorRate > 0 && rand.Float64() < f.ErrorRate, !m.changes && f.ReadErrorRate > 0 && rand.Float64() < f.ReadErrorRate:
		s.writeAnswer(w, req.ID, nil, errBusy, false)
		return
	}
	out, rerr := m.run(s, req.Params)
	if m.changes && rerr == nil {
		switch {
		case f.TimeoutAfterCommitRate > 0 && rand.Float64() < f.TimeoutAfterCommitRate:
			<-r.Context().Done() // the change is made; its answer is lost: hold the connection until the client leaves
			return
		case f.ErrorAfterCommitRate > 0 && rand.Float64() < f.ErrorAfterCommitRate:
			rerr = errAfterCommit // the change is made; the MIS fails while it answers
		}
	}
	s.writeAnswer(w, req.ID, out, rerr, s.cfg.Quirks.Has(missim.QuirkBadJSON) && req.Method == jsonrpc.MethodReceptions)
}

// writeAnswer writes the result, or the error object, of call id; cut
// (missim.QuirkBadJSON) sends only the first half of it.
func (s *Server) writeAnswer(w http.ResponseWriter, id json.RawMessage, result any, rerr *rpcErr, cut bool) {
	q := s.cfg.Quirks
	if q.Has(missim.QuirkIDNotEchoed) {
		id = nil
	}
	if rerr != nil && q.Has(missim.QuirkWrongFault) && rerr.Code != jsonrpc.CodeBusy {
		rerr = &rpcErr{status: rerr.status, Error: jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: rerr.Message}} // every refusal as a crash
	}
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	resp := jsonrpc.Response{JSONRPC: jsonrpc.Version, ID: id}
	status := http.StatusOK
	if rerr != nil {
		resp.Error, status = &rerr.Error, rerr.status
	} else if b, err := json.Marshal(result); err == nil {
		resp.Result = b
	} else {
		resp.Error, status = &errAfterCommit.Error, http.StatusInternalServerError
	}
	b, _ := json.Marshal(resp) // a Response of raw messages: cannot fail
	if cut {
		b = b[:len(b)/2]
	}
	w.Header().Set("Content-Type", jsonrpc.ContentType)
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
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
