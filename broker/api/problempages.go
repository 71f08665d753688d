package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"

	"github.com/fedhealth/federation/contracts"
	"github.com/go-chi/chi/v5"
)

// problemPage is what the page of one problem code says. A problem's type
// URI (problemBase + Code) names the page, so every code a client can get
// must be in problemPages; Status and Title must be the ones the problem
// itself carries (a test holds problemFor to this table).
type problemPage struct {
	Code    string
	Status  int
	Title   string
	Meaning string // what happened, for the citizen and the client's developer
	Action  string // what the citizen or the client should do about it
}

// problemPages is the one table of problem codes the API answers with.
var problemPages = []problemPage{
	{"invalid-request", http.StatusBadRequest, "The request is not valid",
		"Something in the request breaks the API's rules: malformed JSON, an unknown field, a slot id that is not REGION:ID, a date that is not YYYY-MM-DD, a search range over 14 days, a limit or wait out of range, or a malformed Idempotency-Key. The detail says which.",
		"Fix the request as the detail says; sending it again unchanged cannot succeed."},
	{"idempotency-key-missing", http.StatusBadRequest, "Idempotency-Key header required",
		"Asking for a booking must carry an Idempotency-Key header, so that a retry after a lost answer cannot book twice.",
		"Generate a fresh random key (a UUID will do) for each new booking request and send the same key again whenever you retry that request."},
	{"unauthenticated", http.StatusUnauthorized, "Sign in to continue",
		"The request carries no bearer token, or one that is expired, not signed by the identity provider the broker trusts, or not meant for this service.",
		"Sign in again at the identity provider and send the new token as \"Authorization: Bearer <token>\"."},
	{"not-found", http.StatusNotFound, "Not found",
		"There is no such booking, region, slot page or path. A booking of another citizen is reported exactly as a missing one.",
		"Check the id or the address. Booking ids come from the answer that accepted the booking or from the history."},
	{"method-not-allowed", http.StatusMethodNotAllowed, "Method not allowed",
		"The path exists but does not serve this HTTP method.",
		"Use one of the methods the answer's Allow header lists."},
	{"conflict", http.StatusConflict, "The request conflicts with the current state",
		"The request collides with another change in progress.",
		"Read the resource again and retry if it still makes sense."},
	{"idempotency-key-in-flight", http.StatusConflict, "The same request is still being processed",
		"A request with this Idempotency-Key is still running; running a second copy at the same time could do the work twice.",
		"Wait a moment and retry with the same key: you will then get the first request's answer."},
	{"slot-taken", http.StatusConflict, "This slot was taken by someone else",
		"Another patient holds or has booked this slot, or it has already begun.",
		"Search again and choose another slot."},
	{"hold-expired", http.StatusConflict, "The clinic's reservation of this slot expired",
		"The clinic held the slot for a few minutes while the booking went through, and the hold lapsed before the booking was completed.",
		"Search again and ask for the slot (or another) anew."},
	{"not-cancellable", http.StatusConflict, "This booking cannot be cancelled now",
		"Only a confirmed booking can be cancelled; this one is pending, rejected or failed. (Cancelling one that is cancelling or cancelled already succeeds and changes nothing.)",
		"Wait until a pending booking is final and cancel it then if it was confirmed; a rejected or failed booking holds no appointment."},
	{"body-too-large", http.StatusRequestEntityTooLarge, "Request body too large",
		"The request body is over 16 KiB; every request of this API is far smaller.",
		"Send only the documented fields."},
	{"slot-unknown", http.StatusUnprocessableEntity, "The clinic does not offer this slot",
		"The region's medical information system does not know this slot (any more): the schedule may have changed since the search.",
		"Search again and choose a slot from the new results."},
	{"idempotency-key-reused", http.StatusUnprocessableEntity, "Idempotency-Key was used for another request",
		"This Idempotency-Key already belongs to a different request (another slot, booking or path) of the same citizen.",
		"Use a new key for each new request; reuse a key only to retry exactly the same request."},
	{"not-attached", http.StatusUnprocessableEntity, "You are not attached to this clinic",
		"Primary care appointments at this clinic are for the patients attached to it.",
		"Book at the clinic you are attached to, or ask to be attached to this one."},
	{"referral-required", http.StatusUnprocessableEntity, "This specialist sees patients only with a referral",
		"The clinic accepts appointments with this specialist only on a doctor's referral.",
		"Get a referral from your primary care doctor, then book again."},
	{"rate-limited", http.StatusTooManyRequests, "Too many requests",
		"This citizen, or this network address, sent more requests in a short time than the broker serves one caller. State-changing requests (asking for or cancelling a booking) have a stricter limit than reads. Each broker instance counts on its own.",
		"Wait the number of seconds in the Retry-After header, then go on at a gentler pace; to follow a booking, use ?wait= rather than polling in a loop."},
	{"internal", http.StatusInternalServerError, "Internal error",
		"Something went wrong on the broker's side. Nothing about the cause is shown; it is logged under the answer's X-Correlation-ID.",
		"Try again later; a state-changing request may be retried with the same Idempotency-Key. If it persists, report the X-Correlation-ID."},
	{"unsupported", http.StatusNotImplemented, "This request is not supported yet",
		"The region's medical information system does not offer this operation yet.",
		"Try another way (for example another clinic or region), or come back later."},
	{"region-unavailable", http.StatusServiceUnavailable, "The region's medical information system is unavailable",
		"The region's medical information system is down, failing, or is being given time to recover; the request was not passed on.",
		"Try again after the number of seconds in the Retry-After header. GET /api/v1/regions shows each region's status."},
	{"outcome-unknown", http.StatusServiceUnavailable, "The region did not confirm the request; please try again",
		"The request reached the region's medical information system but no answer came back, so whether it took effect is not known yet.",
		"Try again after Retry-After seconds with the same Idempotency-Key: the retry finds out and answers as the first request would have."},
}

//go:embed templates/problem.html
var problemTemplateFS embed.FS

var problemTemplate = template.Must(template.ParseFS(problemTemplateFS, "templates/problem.html"))

// renderProblemPages renders every page of problemPages once: they never
// change while the server runs.
func renderProblemPages() (map[string][]byte, error) {
	pages := make(map[string][]byte, len(problemPages))
	for _, p := range problemPages {
		var buf bytes.Buffer
		err := problemTemplate.Execute(&buf, struct {
			problemPage
			StatusText string
		}{p, http.StatusText(p.Status)})
		if err != nil {
			return nil, fmt.Errorf("api: problem page %s: %w", p.Code, err)
		}
		if _, dup := pages[p.Code]; dup {
			return nil, fmt.Errorf("api: problem code %s listed twice", p.Code)
		}
		pages[p.Code] = buf.Bytes()
	}
	return pages, nil
}

// problemPageHandler answers GET /problems/{code} with the code's page; an
// unknown code is a not-found problem.
func (s *Server) problemPageHandler(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code")
	page, ok := s.problemPages[code]
	if !ok {
		s.writeError(w, r, fmt.Errorf("problem code %q: %w", code, contracts.ErrNotFound))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(page)
}
