package api

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"regexp"

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
		"Something in the request breaks the API's rules: malformed JSON (member names are case-sensitive and may appear once), an unknown member, a slot id that is not REGION:ID, a date that is not YYYY-MM-DD, before today or beyond the search horizon, a search range over 14 days, a search filter that is not an id, a limit or wait out of range, a malformed Idempotency-Key, or an HTTP request the server could not parse. The detail says which, without quoting the request.",
		"Fix the request as the detail says; sending it again unchanged cannot succeed."},
	{"idempotency-key-missing", http.StatusBadRequest, "Idempotency-Key header required",
		"Asking for a booking must carry an Idempotency-Key header, so that a retry after a lost answer cannot book twice.",
		"Generate a fresh random key (a UUID will do) for each new booking request and send the same key again whenever you retry that request."},
	{"unauthenticated", http.StatusUnauthorized, "Sign in to continue",
		"The request carries no bearer token, or one that is expired, not signed by the identity provider the broker trusts, or not meant for this service.",
		"Sign in again at the identity provider and send the new token as \"Authorization: Bearer <token>\"."},
	{"wrong-role", http.StatusForbidden, "This endpoint is not for your role",
		"The token is valid, but the endpoint serves another role: citizens search, book and cancel; a region's operators work the operator queue of their region.",
		"Sign in with the account of the right role; an operator's token cannot book, a citizen's cannot confirm."},
	{"region-not-yours", http.StatusForbidden, "This is another region's",
		"A regional operator's token reaches only its own region: another region's conformance results are that region's operators' and the ministry's analysts'.",
		"Ask with the token of an operator of that region, or of an analyst."},
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
	{"booking-overlaps", http.StatusConflict, "You already have a booking at this time",
		"Another of your bookings (pending, confirmed, being cancelled, or awaiting a clinic's operator), in this region or any other, overlaps this slot in time; times are compared as instants, whatever each region's time zone. The detail and the conflicting_booking member name that booking and its time. Nothing was sent to the clinic.",
		"Cancel the other booking first, or choose a slot at another time. A retry with the same Idempotency-Key gets the same answer."},
	{"too-many-active-bookings", http.StatusConflict, "You have as many active bookings as one citizen may hold",
		"A citizen may hold only so many active bookings at once across all regions (10 unless the operator of the service configured otherwise): those pending, being cancelled, or confirmed for a visit that has not begun. Nothing was sent to the clinic.",
		"Cancel a booking you no longer need, or book again after a visit; the detail says the limit."},
	{"not-cancellable", http.StatusConflict, "This booking cannot be cancelled now",
		"Only a confirmed booking can be cancelled; this one is pending, rejected or failed. (Cancelling one that is cancelling or cancelled already succeeds and changes nothing.)",
		"Wait until a pending booking is final and cancel it then if it was confirmed; a rejected or failed booking holds no appointment."},
	{"not-reschedulable", http.StatusConflict, "This booking cannot be moved now",
		"Only a confirmed booking made on the portal can be moved to another time; this one is pending, being cancelled or moved already, ended, or was booked through another channel (call centre, registry desk, kiosk). Asking again for the move that is running succeeds and changes nothing.",
		"Wait until the booking is confirmed (or the running move has ended) and ask again; a booking made through another channel is moved by the clinic."},
	{"reschedule-other-region", http.StatusUnprocessableEntity, "A booking moves only within its region",
		"The new slot belongs to another region than the booking. A move books the new slot at the same region's clinic system before it cancels the old one, which cannot span two regions' systems. Nothing was changed.",
		"Choose a slot of the booking's region; to go to another region, book there and then cancel this booking."},
	{"reschedule-by-operators", http.StatusConflict, "This region's bookings are not moved on the portal",
		"The booking's region takes bookings through its clinics' operators (a slot feed, no clinic system to call), and they do not move bookings yet. Nothing was changed.",
		"Book the new time and then cancel this booking, or call the clinic to move it."},
	{"deadline-passed", http.StatusConflict, "The booking's deadline has passed",
		"A feed region's booking waited for its operator longer than its deadline (booking.deadlines.feed); it is failing as unanswered and its slot is offered again, so it can no longer be confirmed.",
		"Do not keep the appointment at the clinic: the citizen is told nothing was booked. Decline is no longer needed either."},
	{"patient-erased", http.StatusConflict, "The patient's identifiers are erased",
		"The patient's identifiers are kept only while a feed booking awaits its operator's confirmation; once it is confirmed, declined, withdrawn or expired they are erased.",
		"Read the identifiers before confirming; after that the clinic has them, or the booking is over."},
	{"body-too-large", http.StatusRequestEntityTooLarge, "Request body too large",
		"The request body is over 16 KiB; every request of this API is far smaller.",
		"Send only the documented fields."},
	{"unsupported-media-type", http.StatusUnsupportedMediaType, "The body must be JSON",
		"A request body of this API is JSON, and the request did not say so: its Content-Type is missing or is not application/json (a charset, if given, must be UTF-8).",
		"Send the body with \"Content-Type: application/json\"."},
	{"expectation-failed", http.StatusExpectationFailed, "Expectation not supported",
		"The request carries an Expect header other than 100-continue, which this server does not support.",
		"Send the request without that Expect header."},
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
	{"headers-too-large", http.StatusRequestHeaderFieldsTooLarge, "Request headers too large",
		"The request's header fields together are over 32 KiB; no request of this API needs a fraction of that.",
		"Send only the headers the API documents (a bearer token, Idempotency-Key, X-Correlation-ID, traceparent)."},
	{"rate-limited", http.StatusTooManyRequests, "Too many requests",
		"This citizen, or this network address, sent more requests in a short time than the broker serves one caller. State-changing requests (asking for or cancelling a booking) have a stricter limit than reads. Each broker instance counts on its own.",
		"Wait the number of seconds in the Retry-After header, then go on at a gentler pace; to follow a booking, use ?wait= rather than polling in a loop."},
	{"internal", http.StatusInternalServerError, "Internal error",
		"Something went wrong on the broker's side. Nothing about the cause is shown; it is logged under the answer's X-Correlation-ID.",
		"Try again later; a state-changing request may be retried with the same Idempotency-Key. If it persists, report the X-Correlation-ID."},
	{"unsupported", http.StatusNotImplemented, "This request is not supported yet",
		"The region's medical information system does not offer this operation yet.",
		"Try another way (for example another clinic or region), or come back later."},
	{"not-implemented", http.StatusNotImplemented, "Not implemented by this server",
		"The request uses an HTTP feature the server does not implement, such as an unknown Transfer-Encoding.",
		"Send a plain HTTP/1.1 request, with Content-Length or chunked encoding."},
	{"region-unavailable", http.StatusServiceUnavailable, "The region's medical information system is unavailable",
		"The region's medical information system is down, failing, or is being given time to recover; the request was not passed on.",
		"Try again after the number of seconds in the Retry-After header. GET /api/v1/regions shows each region's status."},
	{"service-unavailable", http.StatusServiceUnavailable, "The service cannot record requests right now",
		"The broker's own database does not take writes at the moment (full, read-only or unreachable), so the request was not recorded and nothing was passed on to the region.",
		"Try again after the number of seconds in the Retry-After header; a state-changing request with the same Idempotency-Key is safe to repeat."},
	{"sign-in-unavailable", http.StatusServiceUnavailable, "Sign-in cannot be checked right now",
		"The identity provider's signing keys could not be refreshed for longer than the broker trusts cached keys, so no token can be checked; nothing about your request was processed.",
		"Try again after the number of seconds in the Retry-After header."},
	{"region-busy", http.StatusServiceUnavailable, "The region is busier than it can confirm in time",
		"More bookings are waiting for the region's medical information system than it can confirm before their deadline, so this one was not started (or was stopped before anything was booked) rather than left to wait in vain.",
		"Try again after the number of seconds in the Retry-After header; the queue is usually short again within a minute."},
	{"outcome-unknown", http.StatusServiceUnavailable, "The region did not confirm the request; please try again",
		"The request reached the region's medical information system but no answer came back, so whether it took effect is not known yet.",
		"Try again after Retry-After seconds with the same Idempotency-Key: the retry finds out and answers as the first request would have."},
	{"starting", http.StatusServiceUnavailable, "The service is starting",
		"The broker is starting up and does not take requests yet.",
		"Try again after the number of seconds in the Retry-After header."},
	// The status callbacks' refusals (broker/callbacks), answered to an MIS.
	{"callback-unauthenticated", http.StatusUnauthorized, "The callback is not signed by the region",
		"A status callback must carry the webhook-id, webhook-timestamp and webhook-signature headers, signed (v1, HMAC-SHA256 over id.timestamp.body) with one of the secrets the region was given, within 5 minutes of the broker's clock. The signature was missing, did not match, or the timestamp was too far off. The refusal is counted for the region.",
		"Sign with the region's current secret (while a secret rotates, either is accepted) and keep the MIS's clock in time; send the same webhook-id again."},
	{"callback-undecodable", http.StatusBadRequest, "The callback's body is not a status change",
		"The request was signed, but its body is not a status callback of the contract (misv2 1.1: JSON; soap: UpdateAppointmentStatus): an unknown member or element, a missing or contradictory one, an unknown type or status. A repeat of the same webhook-id gets the same answer.",
		"Fix the body as the contract says and send it with a new webhook-id."},
	{"callback-too-large", http.StatusRequestEntityTooLarge, "The callback's body is too large",
		"A status callback's body is at most 16 KiB.",
		"Send one change per callback, with only the documented members."},
	{"callback-media-type", http.StatusUnsupportedMediaType, "The callback's media type is not the region's",
		"A fhir region's MIS sends application/json; a soap region's sends text/xml (SOAP 1.1).",
		"Send the body with the Content-Type of the region's kind."},
	{"callback-no-region", http.StatusNotFound, "No callbacks for this region",
		"The broker takes no status callbacks for this region: it is unknown, it has no callback secret configured, or its kind converges by reconciliation (jsonrpc) or by its operators' actions (feed).",
		"Check the region code in the callback URL the region was given."},
	{"callback-unavailable", http.StatusServiceUnavailable, "The broker cannot record the callback now",
		"The broker's database does not take writes at the moment; nothing was recorded.",
		"Send the same delivery (the same webhook-id) again later."},
	{"http-version-unsupported", http.StatusHTTPVersionNotSupported, "HTTP version not supported",
		"The request's HTTP version is not one the server speaks.",
		"Use HTTP/1.1 (or HTTP/2 over TLS)."},
}

//go:embed templates/problem.html
var problemTemplateFS embed.FS

var problemTemplate = template.Must(template.ParseFS(problemTemplateFS, "templates/problem.html"))

// problemPagePolicy lets a problem page load nothing but its own inline
// style (by hash) and what this server serves.
var problemPagePolicy = PagePolicy(inlineStyles(problemTemplateFS, "templates/problem.html")...)

// PagePolicy is the Content-Security-Policy of an HTML page this server
// serves: everything from this origin only ('self'), no framing, no
// plugins, forms posting only here, and inline styles only those whose
// text is given (allowed by their SHA-256 hash, CSP Level 2).
func PagePolicy(inlineStyles ...string) string {
	style := "style-src 'self'"
	for _, st := range inlineStyles {
		sum := sha256.Sum256([]byte(st))
		style += " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	return "default-src 'self'; " + style + "; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
}

var styleElement = regexp.MustCompile(`(?s)<style>(.*?)</style>`)

// inlineStyles returns the text of every <style> element of a template
// file; a template may not put actions inside one, or the hash would not
// match what it renders.
func inlineStyles(fsys embed.FS, name string) []string {
	data, err := fsys.ReadFile(name)
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	var out []string
	for _, m := range styleElement.FindAllSubmatch(data, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

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
		s.writeError(w, r, fmt.Errorf("problem page: %w", contracts.ErrNotFound))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Content-Security-Policy", problemPagePolicy)
	_, _ = w.Write(page)
}
