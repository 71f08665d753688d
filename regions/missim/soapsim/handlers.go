package soapsim

import (
	"crypto/subtle"
	"encoding/xml"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/soap"
)

// maxRequest bounds a request body.
const maxRequest = 1 << 20

// simFault is an answer other than success: a SOAP fault.
type simFault struct {
	status int
	code   string
	text   string
}

func clientFault(code, text string) *simFault {
	return &simFault{status: http.StatusInternalServerError, code: code, text: text}
}

var (
	faultUnavailable = &simFault{status: http.StatusServiceUnavailable, code: soap.FaultMISUnavailable, text: "the MIS is unavailable"}
	faultBusy        = &simFault{status: http.StatusInternalServerError, code: soap.FaultMISBusy, text: "the MIS is busy; nothing was changed"}
	// faultAfterCommit is an MIS that made the change and then failed while
	// answering: a server fault whose code is none of the e-registry's, as a
	// crashed handler's generic fault would be.
	faultAfterCommit = &simFault{status: http.StatusInternalServerError, code: "INTERNAL_ERROR", text: "internal error"}
)

func (s *Server) writeFault(w http.ResponseWriter, f *simFault) {
	server := f == faultBusy || f == faultUnavailable || f == faultAfterCommit
	if !server && s.cfg.Quirks.Has(missim.QuirkWrongFault) {
		f = &simFault{status: f.status, code: faultAfterCommit.code, text: f.text} // a refusal in the generic code of a crash
	}
	w.Header().Set("Content-Type", soap.ContentType)
	w.WriteHeader(f.status)
	_, _ = w.Write(soap.MarshalFault(server, f.code, f.text))
}

func (s *Server) writeResponse(w http.ResponseWriter, payload any) {
	b, err := soap.Marshal(payload)
	if err != nil {
		s.writeFault(w, faultBusy)
		return
	}
	w.Header().Set("Content-Type", soap.ContentType)
	_, _ = w.Write(b)
}

// handleWSDL serves the WSDL at GET /?wsdl.
func (s *Server) handleWSDL(w http.ResponseWriter, r *http.Request) {
	if _, ok := r.URL.Query()["wsdl"]; !ok || s.cfg.Quirks.Has(missim.QuirkNoMetadata) {
		http.Error(w, "the SOAP endpoint takes POST; its WSDL is at ?wsdl", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(soap.WSDL)
}

// operation is one method: it decodes its request from d and answers.
type operation struct {
	changes bool // CreateAppointment, CancelAppointment: subject to commit-then-no-answer
	run     func(s *Server, d *xml.Decoder, start *xml.StartElement) (any, *simFault)
}

var operations = map[string]operation{
	soap.MethodGetPatientInfo:          {run: decodeRun((*Server).patientInfo)},
	soap.MethodGetMOInfoExtended:       {run: decodeRun((*Server).moInfo)},
	soap.MethodGetServicePostSpecsInfo: {run: decodeRun((*Server).postSpecsInfo)},
	soap.MethodGetScheduleInfo:         {run: decodeRun((*Server).scheduleInfo)},
	soap.MethodCreateAppointment:       {changes: true, run: decodeRun((*Server).createAppointment)},
	soap.MethodCancelAppointment:       {changes: true, run: decodeRun((*Server).cancelAppointment)},
	soap.MethodGetPatientAppointments:  {run: decodeRun((*Server).patientAppointments)},
	soap.MethodGetAppointmentsByPeriod: {run: decodeRun((*Server).appointmentsByPeriod)},
}

// decodeRun adapts a typed method to an operation.
func decodeRun[Req any](fn func(*Server, *Req) (any, *simFault)) func(*Server, *xml.Decoder, *xml.StartElement) (any, *simFault) {
	return func(s *Server, d *xml.Decoder, start *xml.StartElement) (any, *simFault) {
		req := new(Req)
		if err := d.DecodeElement(req, start); err != nil {
			return nil, clientFault(soap.FaultInvalidRequest, "request does not decode: "+err.Error())
		}
		return fn(s, req)
	}
}

// handleSOAP serves POST /: authentication, then the faults in force, then
// the method the body names (which must agree with SOAPAction).
func (s *Server) handleSOAP(w http.ResponseWriter, r *http.Request) {
	if tok := s.cfg.BearerToken; tok != "" && !s.cfg.Quirks.Has(missim.QuirkOpenAccess) && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+tok)) != 1 {
		http.Error(w, "bearer token required", http.StatusUnauthorized)
		return
	}
	f := s.faults.Load()
	switch {
	case f.Down:
		s.writeFault(w, faultUnavailable)
		return
	case f.LatencyMS > 0 && !sleep(r, time.Duration(f.LatencyMS)*time.Millisecond):
		return
	case f.ErrorRate > 0 && rand.Float64() < f.ErrorRate:
		s.writeFault(w, faultBusy)
		return
	}
	d, start, err := soap.ReadEnvelope(io.LimitReader(r.Body, maxRequest))
	if err != nil {
		s.writeFault(w, clientFault(soap.FaultInvalidRequest, err.Error()))
		return
	}
	method, ok := strings.CutSuffix(start.Name.Local, "Request")
	op, known := operations[method]
	switch {
	case !ok || !known || start.Name.Space != soap.Namespace:
		s.writeFault(w, clientFault(soap.FaultInvalidRequest, "unknown operation "+start.Name.Local))
		return
	case r.Header.Get("SOAPAction") != "" && strings.Trim(r.Header.Get("SOAPAction"), `"`) != soap.Action(method):
		s.writeFault(w, clientFault(soap.FaultInvalidRequest, "SOAPAction does not name the body's operation"))
		return
	case !op.changes && f.ReadErrorRate > 0 && rand.Float64() < f.ReadErrorRate:
		s.writeFault(w, faultBusy)
		return
	}
	out, fault := op.run(s, d, &start)
	if op.changes && fault == nil {
		switch {
		case f.TimeoutAfterCommitRate > 0 && rand.Float64() < f.TimeoutAfterCommitRate:
			<-r.Context().Done() // the change is made; its answer is lost: hold the connection until the client leaves
			return
		case f.ErrorAfterCommitRate > 0 && rand.Float64() < f.ErrorAfterCommitRate:
			fault = faultAfterCommit // the change is made; the MIS fails while it answers
		}
	}
	if fault != nil {
		s.writeFault(w, fault)
		return
	}
	s.writeResponse(w, out)
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
