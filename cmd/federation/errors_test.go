package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/fedhealth/federation/broker/api"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/breaker"
	"github.com/fedhealth/federation/regions/fhir"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/runner"
)

// verdict is what every part of the system makes of one error. Each
// classifier derives from the error's kind; this table is where they are
// seen side by side.
type verdict struct {
	kind       contracts.Kind
	successful bool   // regions/breaker: not held against the region
	outcome    string // regions/fhir: the outcome label of an MIS call
	retried    bool   // regions/fhir: an answer of this kind is repeated (GETs and keyed POSTs)
	permanent  bool   // sagas/runner: dead-lettered instead of delivered again
	final      bool   // sagas/booking and cancellation: the MIS's last word, recorded
	reason     string // sagas: the citizen's words
	status     int    // broker/api: the HTTP status
	code       string // broker/api: the problem code
}

func verdictOf(err error) verdict {
	status, code := api.ProblemFor(err)
	kind := contracts.KindOf(err)
	return verdict{
		kind: kind, successful: breaker.IsSuccessful(err), outcome: fhir.Outcome(err),
		retried: fhir.Retried(kind), permanent: runner.Permanent(err), final: kind.Final(),
		reason: sagas.ReasonFor(err), status: status, code: code,
	}
}

var (
	unclassified = errors.New("database is locked")
	canceled     = fmt.Errorf("hold in region 77: %w", context.Canceled)
)

var verdicts = []struct {
	name string
	err  error
	want verdict
}{
	{"an invalid request is the MIS's final answer, dead-lettered, and the caller's fault", contracts.ErrInvalid, verdict{
		kind: contracts.KindInvalid, successful: true, outcome: "invalid", permanent: true, final: true,
		reason: sagas.ReasonMISRejected, status: http.StatusBadRequest, code: "invalid-request"}},
	{"a slot or booking that does not exist is final and dead-lettered", contracts.ErrNotFound, verdict{
		kind: contracts.KindNotFound, successful: true, outcome: "not_found", permanent: true, final: true,
		reason: sagas.ReasonSlotUnknown, status: http.StatusNotFound, code: "not-found"}},
	{"a conflict is a healthy answer that a later attempt may get past", contracts.ErrConflict, verdict{
		kind: contracts.KindConflict, successful: true, outcome: "conflict",
		reason: sagas.ReasonMISRejected, status: http.StatusConflict, code: "conflict"}},
	{"a taken slot is a refusal the citizen reads", contracts.ErrSlotTaken, verdict{
		kind: contracts.KindSlotTaken, successful: true, outcome: "slot_taken", final: true,
		reason: sagas.ReasonSlotTaken, status: http.StatusConflict, code: "slot-taken"}},
	{"an expired hold is a refusal the citizen reads", contracts.ErrHoldExpired, verdict{
		kind: contracts.KindHoldExpired, successful: true, outcome: "hold_expired", final: true,
		reason: sagas.ReasonHoldExpired, status: http.StatusConflict, code: "hold-expired"}},
	{"a patient not attached to the clinic is a refusal the citizen reads", contracts.ErrNotAttached, verdict{
		kind: contracts.KindNotAttached, successful: true, outcome: "not_attached", final: true,
		reason: sagas.ReasonNotAttached, status: http.StatusUnprocessableEntity, code: "not-attached"}},
	{"a missing referral is a refusal the citizen reads", contracts.ErrReferralRequired, verdict{
		kind: contracts.KindReferralRequired, successful: true, outcome: "referral_required", final: true,
		reason: sagas.ReasonReferralRequired, status: http.StatusUnprocessableEntity, code: "referral-required"}},
	{"an unavailable region trips the breaker, is retried, and is delivered again", contracts.ErrRegionUnavailable, verdict{
		kind: contracts.KindUnavailable, outcome: "unavailable", retried: true,
		reason: sagas.ReasonMISRejected, status: http.StatusServiceUnavailable, code: "region-unavailable"}},
	{"a busy region is unavailability to everyone but the citizen, who is told to come back", contracts.ErrRegionBusy, verdict{
		kind: contracts.KindUnavailable, outcome: "unavailable", retried: true,
		reason: sagas.ReasonMISRejected, status: http.StatusServiceUnavailable, code: "region-busy"}},
	{"an unknown outcome trips the breaker and is resolved by repeating, never guessed", contracts.ErrOutcomeUnknown, verdict{
		kind: contracts.KindOutcomeUnknown, outcome: "outcome_unknown",
		reason: sagas.ReasonMISRejected, status: http.StatusServiceUnavailable, code: "outcome-unknown"}},
	{"an unsupported message is left for a newer instance, never dead-lettered", contracts.ErrUnsupported, verdict{
		kind: contracts.KindUnsupported, successful: true, outcome: "unsupported",
		reason: sagas.ReasonMISRejected, status: http.StatusNotImplemented, code: "unsupported"}},
	{"an unclassified error trips the breaker, is delivered again, and reveals nothing", unclassified, verdict{
		kind: contracts.KindInternal, outcome: "internal",
		reason: sagas.ReasonMISRejected, status: http.StatusInternalServerError, code: "internal"}},
	{"a caller's cancellation is labelled canceled and otherwise unclassified", canceled, verdict{
		kind: contracts.KindInternal, outcome: "canceled",
		reason: sagas.ReasonMISRejected, status: http.StatusInternalServerError, code: "internal"}},

	// The API's own errors: their own problem, their kind for everyone else.
	{"a request without a valid token asks the citizen to sign in", auth.ErrUnauthenticated, apiVerdict(
		contracts.KindInvalid, http.StatusUnauthorized, "unauthenticated")},
	{"a good token of the other role (citizen, operator) is forbidden", auth.ErrWrongRole, apiVerdict(
		contracts.KindInvalid, http.StatusForbidden, "wrong-role")},
	{"an operator asking for another region's probe results is forbidden", apiErr("the operator's token is for another region"), apiVerdict(
		contracts.KindInvalid, http.StatusForbidden, "region-not-yours")},
	{"a body too large is refused with 413", apiErr("request body too large"), apiVerdict(
		contracts.KindInvalid, http.StatusRequestEntityTooLarge, "body-too-large")},
	{"a body not declared JSON is refused with 415", apiErr("request body is not application/json"), apiVerdict(
		contracts.KindInvalid, http.StatusUnsupportedMediaType, "unsupported-media-type")},
	{"a slot the clinic does not offer is unprocessable", apiErr("unknown slot"), apiVerdict(
		contracts.KindNotFound, http.StatusUnprocessableEntity, "slot-unknown")},
	{"an idempotency key reused for another request is unprocessable", apiErr("Idempotency-Key reused with a different request"), apiVerdict(
		contracts.KindConflict, http.StatusUnprocessableEntity, "idempotency-key-reused")},
	{"an idempotency key still in flight is a conflict", apiErr("a request with this Idempotency-Key is still in progress"), apiVerdict(
		contracts.KindConflict, http.StatusConflict, "idempotency-key-in-flight")},
	{"a missing idempotency key is a bad request", apiErr("Idempotency-Key header required"), apiVerdict(
		contracts.KindInvalid, http.StatusBadRequest, "idempotency-key-missing")},
	{"keys the identity provider could not refresh for too long make sign-in unavailable, for now", auth.ErrKeysUnavailable, apiVerdict(
		contracts.KindUnavailable, http.StatusServiceUnavailable, "sign-in-unavailable")},
	{"a store that cannot be written is unavailability of our own: 503, repeat later", contracts.ErrStoreUnavailable, apiVerdict(
		contracts.KindUnavailable, http.StatusServiceUnavailable, "service-unavailable")},
	{"a booking that cannot be cancelled now is a conflict", apiErr("booking cannot be cancelled now"), apiVerdict(
		contracts.KindConflict, http.StatusConflict, "not-cancellable")},
	{"confirming a feed booking past its deadline is a conflict of its own", apiErr("the booking's deadline has passed: it is failing as unanswered"), apiVerdict(
		contracts.KindConflict, http.StatusConflict, "deadline-passed")},
	{"reading a patient whose identifiers are erased is a conflict of its own", apiErr("the patient's identifiers are erased"), apiVerdict(
		contracts.KindConflict, http.StatusConflict, "patient-erased")},
	{"a slot overlapping another booking of the citizen is a conflict of its own", apiErr("the slot overlaps another booking of the citizen"), apiVerdict(
		contracts.KindConflict, http.StatusConflict, "booking-overlaps")},
	{"a citizen at the cap of active bookings is a conflict of its own", apiErr("the citizen has too many active bookings"), apiVerdict(
		contracts.KindConflict, http.StatusConflict, "too-many-active-bookings")},
	{"a booking that cannot be moved now is a conflict of its own", apiErr("booking cannot be rescheduled now"), apiVerdict(
		contracts.KindConflict, http.StatusConflict, "not-reschedulable")},
	{"a move to another region's slot is unprocessable, saying so", apiErr("a booking moves only within its region"), apiVerdict(
		contracts.KindInvalid, http.StatusUnprocessableEntity, "reschedule-other-region")},
	{"a move of a feed region's booking is left to its operators", apiErr("feed regions' bookings are not moved on the portal"), apiVerdict(
		contracts.KindUnsupported, http.StatusConflict, "reschedule-by-operators")},
	{"a caller over its rate limit is told to come back later", apiErr("too many requests"), apiVerdict(
		contracts.KindConflict, http.StatusTooManyRequests, "rate-limited")},
}

// apiVerdict is the verdict on one of the API's own errors: its kind
// decides everything but the HTTP answer.
func apiVerdict(kind contracts.Kind, status int, code string) verdict {
	v := verdictOf(contracts.NewError(kind, "same kind"))
	v.status, v.code = status, code
	return v
}

// apiErr finds one of the API's own sentinels (unexported) by its text.
func apiErr(text string) error {
	for _, err := range api.Errors() {
		if err.Error() == text {
			return err
		}
	}
	return fmt.Errorf("no API error %q", text)
}

func TestEveryErrorMeansTheSameEverywhere(t *testing.T) {
	for _, v := range verdicts {
		t.Run(v.name, func(t *testing.T) {
			for _, err := range []error{v.err, fmt.Errorf("step: %w", v.err)} {
				if got := verdictOf(err); got != v.want {
					t.Errorf("%v:\n got %+v\nwant %+v", err, got, v.want)
				}
			}
		})
	}
}

func TestNoKindOrSentinelIsLeftOutOfTheVerdicts(t *testing.T) {
	judged := map[error]bool{}
	kinds := map[contracts.Kind]bool{}
	for _, v := range verdicts {
		judged[v.err] = true
		kinds[contracts.KindOf(v.err)] = true
	}
	for _, err := range append(contracts.Sentinels(), api.Errors()...) {
		if !judged[err] {
			t.Errorf("sentinel %q has no row in verdicts", err)
		}
	}
	for _, k := range contracts.Kinds() {
		if !kinds[k] {
			t.Errorf("kind %v has no row in verdicts", k)
		}
	}
}

// A kind added to contracts but not to a classifier's table falls back to
// that classifier's default; for those whose default is visible, this
// catches it. (sagas' reasons table has its own in-package check.)
func TestEveryKindHasAnEntryInEveryClassifiersTable(t *testing.T) {
	for _, k := range contracts.Kinds() {
		probe := contracts.NewError(k, "probe")
		if _, code := api.ProblemFor(probe); (code == "internal") != (k == contracts.KindInternal) {
			t.Errorf("kind %v has problem code %q: no entry in the API's kind table", k, code)
		}
		if got := fhir.Outcome(probe); got != k.String() {
			t.Errorf("kind %v has outcome %q, want its name", k, got)
		}
		if sagas.ReasonFor(probe) == "" {
			t.Errorf("kind %v has no citizen reason", k)
		}
	}
}
