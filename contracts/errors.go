package contracts

import (
	"errors"
	"fmt"
)

// Kind is the class of an error: the closed vocabulary from which every
// decision about an error derives (the breaker's verdict, the retry rule,
// dead-lettering, the citizen's reason, the HTTP status), in the manner of
// upspin's errors.Kind. The zero value, KindInternal, is what an error
// without a kind gets.
type Kind uint8

// Error kinds. Their order is not part of any wire; their names (String)
// are, as metric labels and log values.
const (
	// KindInternal: anything unclassified, including a bug and a context
	// error (context.Canceled, context.DeadlineExceeded), so callers keep
	// treating those as they always did: not the region's answer, not
	// permanent.
	KindInternal Kind = iota
	// KindInvalid: the request is malformed or breaks a rule of the contract.
	KindInvalid
	// KindNotFound: what the request names does not exist.
	KindNotFound
	// KindConflict: the request collides with one in flight; later may work.
	KindConflict
	// KindSlotTaken: the MIS refused a hold because someone else has the slot.
	KindSlotTaken
	// KindHoldExpired: the hold lapsed before it was booked.
	KindHoldExpired
	// KindNotAttached: the patient is not attached to the clinic.
	KindNotAttached
	// KindReferralRequired: the specialist needs a referral.
	KindReferralRequired
	// KindUnavailable: the region cannot be reached or is failing; wait.
	KindUnavailable
	// KindOutcomeUnknown: a state-changing call may or may not have acted.
	KindOutcomeUnknown
	// KindUnsupported: this instance does not understand the message or
	// feature, a newer instance does: leave it for that one, deliver it
	// again later, never dead-letter it.
	KindUnsupported

	kindCount // not a kind: the size of the table below
)

// kindTraits is what a kind means; every property method reads one column.
type kindTraits struct {
	name      string
	refusal   bool // a business "no" from a healthy MIS
	answered  bool // a healthy answer: says nothing against the region
	final     bool // the answer to this request will not change
	permanent bool // delivering the same message again cannot cure it
}

var traits = [kindCount]kindTraits{
	KindInternal:         {name: "internal"},
	KindInvalid:          {name: "invalid", answered: true, final: true, permanent: true},
	KindNotFound:         {name: "not_found", answered: true, final: true, permanent: true},
	KindConflict:         {name: "conflict", answered: true},
	KindSlotTaken:        {name: "slot_taken", refusal: true, answered: true, final: true},
	KindHoldExpired:      {name: "hold_expired", refusal: true, answered: true, final: true},
	KindNotAttached:      {name: "not_attached", refusal: true, answered: true, final: true},
	KindReferralRequired: {name: "referral_required", refusal: true, answered: true, final: true},
	KindUnavailable:      {name: "unavailable"},
	KindOutcomeUnknown:   {name: "outcome_unknown"},
	// Unsupported is an answer from a healthy peer that cannot do this yet;
	// it is neither final nor permanent: a newer peer can.
	KindUnsupported: {name: "unsupported", answered: true},
}

func (k Kind) traits() kindTraits {
	if k < kindCount {
		return traits[k]
	}
	return kindTraits{}
}

// Kinds lists every kind, KindInternal first.
func Kinds() []Kind {
	all := make([]Kind, kindCount)
	for i := range all {
		all[i] = Kind(i)
	}
	return all
}

// String is the kind's stable snake_case name, used as a metric label and
// in logs: "internal", "invalid", "not_found", "conflict", "slot_taken",
// "hold_expired", "not_attached", "referral_required", "unavailable",
// "outcome_unknown", "unsupported".
func (k Kind) String() string {
	if name := k.traits().name; name != "" {
		return name
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Refusal reports a business "no" from a healthy MIS (slot taken, hold
// expired, not attached, referral required): final, shown to the citizen,
// and saying nothing about the region's health.
func (k Kind) Refusal() bool { return k.traits().refusal }

// Answered reports an answer from a healthy peer: the refusals, not found,
// invalid, conflict and unsupported. The region's breaker counts these as
// successes; unavailability, unknown outcomes and anything unclassified
// count against the region.
func (k Kind) Answered() bool { return k.traits().answered }

// Final reports that the MIS has given its last word on this request (a
// refusal, not found, invalid): a saga records it rather than repeat the call.
func (k Kind) Final() bool { return k.traits().final }

// Permanent reports that delivering the same message again cannot cure the
// error (invalid, not found): it goes to the dead-letter topic. Everything
// else, unsupported included, is delivered again.
func (k Kind) Permanent() bool { return k.traits().permanent }

// KindOf returns the kind of the first error in err's tree that has one,
// walking wrapped errors depth-first as errors.As does (multi-%w included).
// An error without a kind, nil among them, is KindInternal: ask about a
// non-nil error (every classifier treats nil as success before asking).
func KindOf(err error) Kind {
	var k interface{ Kind() Kind }
	if errors.As(err, &k) {
		return k.Kind()
	}
	return KindInternal
}

// kindError is a sentinel that carries its kind. Compare it with errors.Is
// (identity); classify it with KindOf.
type kindError struct {
	kind Kind
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Kind() Kind    { return e.kind }

// NewError returns a new sentinel error of the given kind, for packages
// that name errors of their own (the API's "Idempotency-Key reused" is a
// KindConflict). Each call returns a distinct error for errors.Is.
func NewError(kind Kind, msg string) error { return &kindError{kind: kind, msg: msg} }

// Sentinel errors shared by every port. Adapters wrap them with
// fmt.Errorf("...: %w", ErrX) so callers test them with errors.Is and
// classify them with KindOf; the HTTP layer maps each kind to exactly one
// status and citizen-facing sentence.
var (
	// ErrInvalid: the request is malformed or violates a rule of the contract.
	// Retrying the same request cannot succeed.
	ErrInvalid = NewError(KindInvalid, "invalid request")

	// ErrNotFound: the named slot, appointment, booking or region does not
	// exist (or is not visible to the caller).
	ErrNotFound = NewError(KindNotFound, "not found")

	// ErrConflict: the request collides with one in flight (for example the
	// same idempotency key used concurrently). Retrying later may succeed.
	ErrConflict = NewError(KindConflict, "conflict")

	// ErrSlotTaken: the MIS refused a hold because someone else has the slot.
	// A business "no": it never counts against the region's breaker.
	ErrSlotTaken = NewError(KindSlotTaken, "slot already taken")

	// ErrHoldExpired: the hold lapsed (or was released) before it was booked.
	ErrHoldExpired = NewError(KindHoldExpired, "hold expired")

	// ErrNotAttached: the patient is not attached to this clinic for primary care.
	ErrNotAttached = NewError(KindNotAttached, "patient not attached to this clinic")

	// ErrReferralRequired: this specialist accepts patients only with a referral.
	ErrReferralRequired = NewError(KindReferralRequired, "referral required")

	// ErrRegionUnavailable: the region's MIS is down, failing or its breaker
	// is open. The call was not made or did not complete; the work should
	// wait and be retried, never guessed.
	ErrRegionUnavailable = NewError(KindUnavailable, "region unavailable")

	// ErrOutcomeUnknown: a state-changing call was sent but no answer came
	// (timeout, connection lost). It may or may not have taken effect at the
	// MIS; resolve by repeating it with the same idempotency key or by reading
	// back, never by compensating blindly.
	ErrOutcomeUnknown = NewError(KindOutcomeUnknown, "outcome unknown")

	// ErrUnsupported: this instance does not understand the message or
	// feature (a newer message version, an unknown saga kind or field); a
	// newer instance does. The work is left for that one: delivered again
	// later, never dead-lettered, never guessed at.
	ErrUnsupported = NewError(KindUnsupported, "not supported by this instance")
)

// ErrRegionBusy refines ErrRegionUnavailable: the region's budget of calls
// in flight stays full for longer than the work's deadline allows, so the
// call was not made. The work cannot finish in time and is refused or shed
// at once, rather than wait and crowd out work that still can. Everyone who
// does not ask for it treats it as the unavailability it is; it never counts
// against the region's breaker (the MIS was not called).
var ErrRegionBusy = fmt.Errorf("region busy: %w", ErrRegionUnavailable)

// ErrStoreUnavailable is a kind of unavailability of the broker's own: its
// database cannot be written (a full disk, a read-only or failed-over
// database, a lost connection). Nothing was recorded, so the request may be
// repeated once the store is back; it is answered 503 with Retry-After, and
// readiness reports the instance not ready meanwhile.
var ErrStoreUnavailable = NewError(KindUnavailable, "the broker's store cannot be written")

// Sentinels lists every sentinel above, in kind order.
func Sentinels() []error {
	return []error{ErrInvalid, ErrNotFound, ErrConflict, ErrSlotTaken, ErrHoldExpired,
		ErrNotAttached, ErrReferralRequired, ErrRegionUnavailable, ErrOutcomeUnknown, ErrUnsupported}
}

// IsRefusal reports whether err is a business refusal by the MIS: a final
// answer that the citizen must see and that says nothing about the MIS's
// health.
func IsRefusal(err error) bool { return KindOf(err).Refusal() }
