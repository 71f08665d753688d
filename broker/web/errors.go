package web

import (
	"errors"
	"net/http"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// errCSRF refuses a form without its session's token.
var errCSRF = contracts.NewError(contracts.KindInvalid, "the form's CSRF token is missing or wrong")

// pageErrors are the service's own errors, looked up with errors.Is in
// this order before the kind is: each with its status and its text key.
// It mirrors broker/api's problem table, the one other place errors meet
// a reader.
var pageErrors = []struct {
	err    error
	status int
	key    string
}{
	{auth.ErrUnauthenticated, http.StatusUnauthorized, "err.signin"},
	{auth.ErrWrongRole, http.StatusForbidden, "err.role"},
	{auth.ErrKeysUnavailable, http.StatusServiceUnavailable, "err.internal"},
	{errCSRF, http.StatusForbidden, "err.csrf"},
	{errRateLimited, http.StatusTooManyRequests, "err.ratelimited"},
	{bookings.ErrSlotUnknown, http.StatusUnprocessableEntity, "err.slotunknown"},
	{bookings.ErrOverlaps, http.StatusConflict, "err.overlaps"},
	{bookings.ErrTooManyActive, http.StatusConflict, "err.toomany"},
	{bookings.ErrNotCancellable, http.StatusConflict, "err.notcancellable"},
	{bookings.ErrNotReschedulable, http.StatusConflict, "err.notreschedulable"},
	{bookings.ErrOtherRegion, http.StatusUnprocessableEntity, "err.otherregion"},
	{bookings.ErrMovedByOperators, http.StatusConflict, "err.byoperators"},
	{sagas.ErrDeadlinePassed, http.StatusConflict, "err.deadline"},
	{bookings.ErrPatientErased, http.StatusConflict, "err.erased"},
	{contracts.ErrRegionBusy, http.StatusServiceUnavailable, "err.busy"},
	{contracts.ErrStoreUnavailable, http.StatusServiceUnavailable, "err.store"},
}

// byKind is the page of an error by its kind, when it is none of
// pageErrors.
var byKind = map[contracts.Kind]struct {
	status int
	key    string
}{
	contracts.KindInvalid:     {http.StatusBadRequest, "err.invalid"},
	contracts.KindNotFound:    {http.StatusNotFound, "err.notfound"},
	contracts.KindConflict:    {http.StatusConflict, "err.conflict"},
	contracts.KindSlotTaken:   {http.StatusConflict, "err.taken"},
	contracts.KindUnavailable: {http.StatusServiceUnavailable, "err.region"},
	contracts.KindUnsupported: {http.StatusConflict, "err.unsupported"},
}

// explain is the status and the text key of err's page. detail is the
// service's own sentence (an InvalidError's, in English: it says what to
// fix and never quotes the input), shown under the text.
func explain(err error) (status int, key, detail string) {
	for _, e := range pageErrors {
		if errors.Is(err, e.err) {
			return e.status, e.key, ""
		}
	}
	if k, ok := byKind[contracts.KindOf(err)]; ok {
		var inv *bookings.InvalidError
		var filter *analytics.InvalidError
		var conflict *bookings.ConflictError
		switch {
		case errors.As(err, &inv):
			detail = inv.Error()
		case errors.As(err, &conflict):
			detail = conflict.PublicDetail()
		case errors.As(err, &filter):
			detail = filter.PublicDetail()
		}
		return k.status, k.key, detail
	}
	return http.StatusInternalServerError, "err.internal", ""
}
