package missim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
)

// Quirk is a bug a simulator has on purpose, so that a vendor (and this
// repository's quirk matrix) can see the conformance kit catch it: each
// quirk breaks one promise of the contract, and some requirement of the
// kit must then fail. Quirks are set once, at start (Config.Quirks,
// `federation missim --quirk NAME`), never by the admin API, so a
// simulator's behaviour cannot change under a running check.
type Quirk string

// The quirks. Each is applied in exactly one place, named after it.
const (
	// QuirkDoubleBook lets a held or booked slot be held (fhir) or booked
	// (soap, jsonrpc) again.
	QuirkDoubleBook Quirk = "double-book"
	// QuirkIgnoreIdempotency makes a repeat with the same Idempotency-Key
	// a new call: a second appointment, or a refusal of the slot the first
	// one took.
	QuirkIgnoreIdempotency Quirk = "ignore-idempotency"
	// QuirkWrongTimezone writes slot instants in UTC instead of the
	// region's offset (the same instants, the wrong wall clock).
	QuirkWrongTimezone Quirk = "wrong-timezone"
	// QuirkNoHoldExpiry keeps holds forever: past hold-expires the slot
	// stays taken and the hold can still be booked.
	QuirkNoHoldExpiry Quirk = "no-hold-expiry"
	// QuirkBookExpiredHold lets a hold be booked after it lapsed (the
	// slot was offered as free meanwhile).
	QuirkBookExpiredHold Quirk = "book-expired-hold"
	// QuirkSlowHold answers every SlowHoldEvery-th hold after SlowHoldDelay,
	// beyond the contract's latency bound for $hold.
	QuirkSlowHold Quirk = "slow-hold"
	// QuirkBadJSON cuts an answer the broker reads back by in half:
	// malformed JSON. fhir: the find by hold key
	// (GET /Appointment?identifier=…); jsonrpc: the patient's receptions.
	QuirkBadJSON Quirk = "bad-json"
	// QuirkMissingRequired leaves out an element the contract requires:
	// fhir: Appointment.status of the read by id (GET /Appointment/{id});
	// soap: GetPatientInfo's Session_ID; jsonrpc: a schedule entry's lpu;
	// feed: a Location line's telecom.
	QuirkMissingRequired Quirk = "missing-required"
	// QuirkWrongStatusCode answers 500 where the contract says 404 (an
	// unknown slot or appointment): to the broker, "retry", where the
	// truth is "there is nothing".
	QuirkWrongStatusCode Quirk = "wrong-status-code"
	// QuirkUnsignedCallback sends status callbacks without a
	// webhook-signature header.
	QuirkUnsignedCallback Quirk = "unsigned-callback"

	// QuirkNoInclude answers a slot search without the Schedules,
	// PractitionerRoles, Practitioners and Locations its slots point to.
	QuirkNoInclude Quirk = "no-include"
	// QuirkUnsorted answers a page of found slots latest first instead of
	// by start.
	QuirkUnsorted Quirk = "unsorted"
	// QuirkIgnoreCount ignores the client's page size (_count, Max_Count,
	// maxCount) and answers the simulator's default page.
	QuirkIgnoreCount Quirk = "ignore-count"
	// QuirkIgnoreFilters ignores the specialty, practitioner and location
	// filters of a slot search.
	QuirkIgnoreFilters Quirk = "ignore-filters"
	// QuirkUTCDates reads the dates of a date search as UTC days instead of
	// the region's local days.
	QuirkUTCDates Quirk = "utc-dates"
	// QuirkWrongSlotRead answers a read of one slot with the slot after
	// it: by id (fhir, soap), by resource and startTime (jsonrpc).
	QuirkWrongSlotRead Quirk = "wrong-slot-read"
	// QuirkNoScheduleActor publishes feed Schedule lines without their
	// Location actor. (A FHIR Schedule without actor fails the contract's
	// OpenAPI schema, so every search with it: no quirk of its own.)
	QuirkNoScheduleActor Quirk = "no-schedule-actor"
	// QuirkBareIdentifier writes the facility's OID identifier without its
	// system.
	QuirkBareIdentifier Quirk = "bare-identifier"
	// QuirkNoMetadata serves no service description: no /metadata (fhir),
	// no WSDL at ?wsdl (soap), no rpc.discover (jsonrpc).
	QuirkNoMetadata Quirk = "no-metadata"
	// QuirkMissingDefinitions answers 404 for the OperationDefinitions,
	// SearchParameters and NamingSystems its CapabilityStatement names.
	QuirkMissingDefinitions Quirk = "missing-definitions"
	// QuirkUncodedSpecialty codes specialties in the MIS's own code system
	// instead of the federal directory.
	QuirkUncodedSpecialty Quirk = "uncoded-specialty"
	// QuirkSNILSOnRole puts the practitioner's SNILS on the
	// PractitionerRole too (contract 1.x's place for it).
	QuirkSNILSOnRole Quirk = "snils-on-role"
	// QuirkEchoPatient names the patient, by SNILS (or OMS), in every
	// appointment it answers with, which the contract forbids.
	QuirkEchoPatient Quirk = "echo-patient"
	// QuirkOpenAccess serves the contract without checking the bearer
	// token.
	QuirkOpenAccess Quirk = "open-access"
	// QuirkNoHoldKey leaves the hold's Idempotency-Key identifier out of
	// the $hold answer.
	QuirkNoHoldKey Quirk = "no-hold-key"
	// QuirkHeldStillFree shows a held (not yet booked) slot as free.
	QuirkHeldStillFree Quirk = "held-still-free"
	// QuirkOptionalKey takes $hold and $book without an Idempotency-Key
	// (each such call a new one).
	QuirkOptionalKey Quirk = "optional-idempotency-key"
	// QuirkLaxHoldParams does not validate $hold's parameters: a hold
	// without a slot looks up the slot "" and answers 404.
	QuirkLaxHoldParams Quirk = "lax-hold-params"
	// QuirkBookStaysPending answers $book with the appointment still
	// pending: the hold is never turned into a booking.
	QuirkBookStaysPending Quirk = "book-stays-pending"
	// QuirkBookNotIdempotent keeps no record of $book's Idempotency-Key
	// and refuses a booked appointment's repeat as hold-expired.
	QuirkBookNotIdempotent Quirk = "book-not-idempotent"
	// QuirkBookCancelled books a cancelled (or lapsed) hold.
	QuirkBookCancelled Quirk = "book-cancelled"
	// QuirkCancelKeepsSlot cancels an appointment without freeing its
	// slot.
	QuirkCancelKeepsSlot Quirk = "cancel-keeps-slot"
	// QuirkCancelNotIdempotent refuses a cancel of what is already
	// cancelled (fhir: also with the same Idempotency-Key).
	QuirkCancelNotIdempotent Quirk = "cancel-not-idempotent"
	// QuirkWrongFault answers every refusal with the style's generic
	// error (SOAP fault INTERNAL_ERROR, JSON-RPC -32603) instead of its
	// own code.
	QuirkWrongFault Quirk = "wrong-fault"
	// QuirkIDNotEchoed answers a JSON-RPC call with a null id.
	QuirkIDNotEchoed Quirk = "id-not-echoed"
	// QuirkBadManifest publishes a feed manifest without transactionTime.
	QuirkBadManifest Quirk = "bad-manifest"
	// QuirkIncompleteManifest publishes a feed manifest that lists no
	// Location file (the file is still served).
	QuirkIncompleteManifest Quirk = "incomplete-manifest"
	// QuirkDanglingReference leaves one Schedule out of the feed while
	// its slots still point to it.
	QuirkDanglingReference Quirk = "dangling-reference"
	// QuirkBadNDJSON publishes a Slot file whose last line is cut short.
	QuirkBadNDJSON Quirk = "bad-ndjson"
	// QuirkNoCacheHeaders serves the feed manifest without ETag or
	// Last-Modified and ignores conditional requests.
	QuirkNoCacheHeaders Quirk = "no-cache-headers"
	// QuirkIncompleteDirectory leaves the region's last organisation out
	// of GetMOInfoExtended while its schedule is still served: a directory
	// that lags the schedule.
	QuirkIncompleteDirectory Quirk = "incomplete-directory"
)

// SlowHoldDelay is how late a slow hold answers under QuirkSlowHold: past
// the contract's bound for $hold (misv2 conformance's HoldLatencyBound, 2 s)
// and within the kit's call timeout, so the check sees a slow answer, not
// a lost one.
const SlowHoldDelay = 2500 * time.Millisecond

// SlowHoldEvery makes one hold in that many slow under QuirkSlowHold: a
// tail, as a real MIS under load has, which a p99 catches and an average
// would not.
const SlowHoldEvery = 8

// quirkKinds lists, for each quirk, the region kinds whose simulator has
// it (a quirk means something only where the style has the promise it
// breaks: soap and jsonrpc take no Idempotency-Key and have no holds; a
// feed publisher books nothing and sends no callbacks; jsonrpc sends none
// either).
var quirkKinds = []struct {
	q     Quirk
	kinds []contracts.RegionKind
}{
	{QuirkDoubleBook, []contracts.RegionKind{contracts.RegionFHIR, contracts.RegionSOAP, contracts.RegionJSONRPC}},
	{QuirkIgnoreIdempotency, []contracts.RegionKind{contracts.RegionFHIR}},
	{QuirkWrongTimezone, []contracts.RegionKind{contracts.RegionFHIR, contracts.RegionSOAP, contracts.RegionJSONRPC, contracts.RegionFeed}},
	{QuirkNoHoldExpiry, []contracts.RegionKind{contracts.RegionFHIR}},
	{QuirkBookExpiredHold, []contracts.RegionKind{contracts.RegionFHIR}},
	{QuirkSlowHold, []contracts.RegionKind{contracts.RegionFHIR}},
	{QuirkBadJSON, []contracts.RegionKind{contracts.RegionFHIR, contracts.RegionJSONRPC}},
	{QuirkMissingRequired, []contracts.RegionKind{contracts.RegionFHIR, contracts.RegionSOAP, contracts.RegionJSONRPC, contracts.RegionFeed}},
	{QuirkWrongStatusCode, []contracts.RegionKind{contracts.RegionFHIR}},
	{QuirkUnsignedCallback, []contracts.RegionKind{contracts.RegionFHIR, contracts.RegionSOAP}},
	{QuirkNoInclude, fhirOnly},
	{QuirkUnsorted, []contracts.RegionKind{contracts.RegionFHIR, contracts.RegionSOAP}},
	{QuirkIgnoreCount, bookingKinds},
	{QuirkIgnoreFilters, fhirOnly},
	{QuirkUTCDates, fhirOnly},
	{QuirkWrongSlotRead, bookingKinds},
	{QuirkNoScheduleActor, feedOnly},
	{QuirkBareIdentifier, fhirOnly},
	{QuirkNoMetadata, bookingKinds},
	{QuirkMissingDefinitions, fhirOnly},
	{QuirkUncodedSpecialty, fhirOnly},
	{QuirkSNILSOnRole, fhirOnly},
	{QuirkEchoPatient, fhirOnly},
	{QuirkOpenAccess, bookingKinds},
	{QuirkNoHoldKey, fhirOnly},
	{QuirkHeldStillFree, fhirOnly},
	{QuirkOptionalKey, fhirOnly},
	{QuirkLaxHoldParams, fhirOnly},
	{QuirkBookStaysPending, fhirOnly},
	{QuirkBookNotIdempotent, fhirOnly},
	{QuirkBookCancelled, fhirOnly},
	{QuirkCancelKeepsSlot, bookingKinds},
	{QuirkCancelNotIdempotent, []contracts.RegionKind{contracts.RegionFHIR, contracts.RegionJSONRPC}},
	{QuirkWrongFault, []contracts.RegionKind{contracts.RegionSOAP, contracts.RegionJSONRPC}},
	{QuirkIDNotEchoed, []contracts.RegionKind{contracts.RegionJSONRPC}},
	{QuirkBadManifest, feedOnly},
	{QuirkIncompleteManifest, feedOnly},
	{QuirkDanglingReference, feedOnly},
	{QuirkBadNDJSON, feedOnly},
	{QuirkNoCacheHeaders, feedOnly},
	{QuirkIncompleteDirectory, []contracts.RegionKind{contracts.RegionSOAP}},
}

// Kind sets of quirkKinds.
var (
	fhirOnly     = []contracts.RegionKind{contracts.RegionFHIR}
	feedOnly     = []contracts.RegionKind{contracts.RegionFeed}
	bookingKinds = []contracts.RegionKind{contracts.RegionFHIR, contracts.RegionSOAP, contracts.RegionJSONRPC}
)

// KnownQuirks lists every quirk, in the order the docs list them.
func KnownQuirks() []Quirk {
	out := make([]Quirk, len(quirkKinds))
	for i, k := range quirkKinds {
		out[i] = k.q
	}
	return out
}

// QuirkKinds lists the region kinds whose simulator has q.
func QuirkKinds(q Quirk) []contracts.RegionKind {
	for _, k := range quirkKinds {
		if k.q == q {
			return slices.Clone(k.kinds)
		}
	}
	return nil
}

// ErrUnknownQuirk is returned for a quirk name no simulator knows.
var ErrUnknownQuirk = errors.New("unknown quirk")

// Quirks is the set of quirks a simulator has; nil has none.
type Quirks []Quirk

// ParseQuirks reads quirk names (a --quirk flag's values); an unknown one
// is ErrUnknownQuirk, listing the known ones.
func ParseQuirks(names []string) (Quirks, error) {
	var q Quirks
	for _, n := range names {
		if QuirkKinds(Quirk(n)) == nil {
			return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownQuirk, n, quirkList())
		}
		if !slices.Contains(q, Quirk(n)) {
			q = append(q, Quirk(n))
		}
	}
	return q, nil
}

func quirkList() string {
	var s []string
	for _, q := range KnownQuirks() {
		s = append(s, string(q))
	}
	return strings.Join(s, ", ")
}

// Has reports whether q holds quirk x.
func (q Quirks) Has(x Quirk) bool { return slices.Contains(q, x) }

// Check reports a quirk that is unknown or that the simulator of kind has
// not (a simulator refuses a bug it cannot have rather than ignore it).
func (q Quirks) Check(kind contracts.RegionKind) error {
	for _, x := range q {
		kinds := QuirkKinds(x)
		switch {
		case kinds == nil:
			return fmt.Errorf("%w %q (known: %s)", ErrUnknownQuirk, x, quirkList())
		case !slices.Contains(kinds, kind):
			return fmt.Errorf("quirk %s does not apply to kind %s (it applies to %v)", x, kind, kinds)
		}
	}
	return nil
}

// slotTime is a slot's instant as the simulator writes it:
// QuirkWrongTimezone moves it to UTC.
func (q Quirks) slotTime(t time.Time) time.Time {
	if q.Has(QuirkWrongTimezone) {
		return t.UTC()
	}
	return t
}

// expires is when a hold made at now says it lapses, and when it really
// does: never under QuirkNoHoldExpiry (the answer still names an instant,
// as the contract asks; the simulator just does not keep it).
func (q Quirks) expires(now time.Time, ttl time.Duration) (shown, lapses time.Time) {
	if q.Has(QuirkNoHoldExpiry) {
		return now.Add(ttl), now.Add(100 * 365 * 24 * time.Hour)
	}
	return now.Add(ttl), now.Add(ttl)
}

// settleForBook records a's lapse before a book, except under
// QuirkBookExpiredHold: a lapsed hold nothing else settled yet is then
// booked as if it had not lapsed.
func (q Quirks) settleForBook(a *appointment, now time.Time) {
	if !q.Has(QuirkBookExpiredHold) {
		a.settle(now)
	}
}

// withQuirks applies the quirks that bend the contract's answers rather
// than its decisions: QuirkSlowHold (a late $hold), QuirkWrongStatusCode
// (500 for 404), QuirkBadJSON (a find by hold key cut in half) and
// QuirkMissingRequired (a read by id without status). Without those it
// is next itself.
func (s *Server) withQuirks(next http.Handler) http.Handler {
	q := s.cfg.Quirks
	if !q.Has(QuirkSlowHold) && !q.Has(QuirkWrongStatusCode) && !q.Has(QuirkBadJSON) && !q.Has(QuirkMissingRequired) {
		return next
	}
	var holds atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/$hold") && !q.slowHold(&holds, r) {
			return
		}
		rec := &recorder{h: w.Header()}
		next.ServeHTTP(rec, r)
		body := rec.body.Bytes()
		if r.Method == http.MethodGet && rec.status == http.StatusOK {
			switch {
			case r.URL.Path == "/Appointment" && r.URL.Query().Has("identifier"):
				body = q.badJSON(body)
			case strings.HasPrefix(r.URL.Path, "/Appointment/"):
				body = q.withoutStatus(body)
			}
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(q.status(rec.status))
		_, _ = w.Write(body)
	})
}

// slowHold delays every SlowHoldEvery-th hold by SlowHoldDelay under
// QuirkSlowHold; false means the client left meanwhile.
func (q Quirks) slowHold(n *atomic.Int64, r *http.Request) bool {
	if !q.Has(QuirkSlowHold) || n.Add(1)%SlowHoldEvery != 0 {
		return true
	}
	return sleep(r, SlowHoldDelay)
}

// status is the HTTP status the simulator answers for the contract's
// status: QuirkWrongStatusCode turns a 404 into a 500.
func (q Quirks) status(status int) int {
	if q.Has(QuirkWrongStatusCode) && status == http.StatusNotFound {
		return http.StatusInternalServerError
	}
	return status
}

// badJSON cuts b in half under QuirkBadJSON.
func (q Quirks) badJSON(b []byte) []byte {
	if q.Has(QuirkBadJSON) {
		return b[:len(b)/2]
	}
	return b
}

// withoutStatus drops the resource's status under QuirkMissingRequired.
func (q Quirks) withoutStatus(b []byte) []byte {
	var m map[string]json.RawMessage
	if !q.Has(QuirkMissingRequired) || json.Unmarshal(b, &m) != nil {
		return b
	}
	delete(m, "status")
	out, err := json.Marshal(m)
	if err != nil {
		return b
	}
	return out
}

// recorder keeps an answer so withQuirks can bend it before it leaves.
type recorder struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// Quirks returns the simulator's quirks (QuirkAdmin).
func (s *Server) Quirks() Quirks { return s.cfg.Quirks }

// The fhir simulator's quirks, each applied where its method is called.

// includes reports whether a slot search brings its includes along: not
// under QuirkNoInclude.
func (q Quirks) includes() bool { return !q.Has(QuirkNoInclude) }

// order is the order found slots are answered in: latest first under
// QuirkUnsorted.
func (q Quirks) order(hits []slotHit) []slotHit {
	if q.Has(QuirkUnsorted) {
		slices.Reverse(hits)
	}
	return hits
}

// count is the page size of a search that asked for n: def under
// QuirkIgnoreCount.
func (q Quirks) count(n, def int) int {
	if q.Has(QuirkIgnoreCount) {
		return def
	}
	return n
}

// filters drops a slot search's specialty, practitioner and location
// under QuirkIgnoreFilters.
func (q Quirks) filters(sq *slotQuery) {
	if q.Has(QuirkIgnoreFilters) {
		sq.specialty, sq.prac, sq.location = "", "", ""
	}
}

// dateZone is the zone a date search's dates are read in: UTC under
// QuirkUTCDates.
func (q Quirks) dateZone(loc *time.Location) *time.Location {
	if q.Has(QuirkUTCDates) {
		return time.UTC
	}
	return loc
}

// shownFree is whether a search shows sl free: under QuirkHeldStillFree
// also while a hold (not a booking) takes it.
func (q Quirks) shownFree(sl *slot, now time.Time) bool {
	if q.Has(QuirkHeldStillFree) && sl.live != nil && sl.live.statusAt(now) == misv2.StatusPending {
		return true
	}
	return sl.freeAt(now)
}

// slotRead is the slot a read by id finds: the next one under
// QuirkWrongSlotRead.
func (q Quirks) slotRead(id string) string {
	if n, ok := parseSeq(id, "S-"); ok && q.Has(QuirkWrongSlotRead) {
		return "S-" + strconv.Itoa(n+1)
	}
	return id
}

// localSpecialtySystem is the MIS's own specialty code system of
// QuirkUncodedSpecialty.
const localSpecialtySystem = "https://mis.example.ru/fhir/CodeSystem/specialty"

// specialty is a slot's specialty as the simulator codes it: in the MIS's
// own code system, with its own codes, under QuirkUncodedSpecialty.
func (q Quirks) specialty(cc misv2.CodeableConcept) misv2.CodeableConcept {
	if q.Has(QuirkUncodedSpecialty) {
		for i, c := range cc.Coding {
			cc.Coding[i] = misv2.Coding{System: localSpecialtySystem, Code: "local-" + c.Code, Display: c.Display}
		}
	}
	return cc
}

// location drops the system of the facility's identifier under
// QuirkBareIdentifier.
func (q Quirks) location(l misv2.Location) misv2.Location {
	if q.Has(QuirkBareIdentifier) {
		for i := range l.Identifier {
			l.Identifier[i].System = ""
		}
	}
	return l
}

// role puts p's SNILS on the rendered role under QuirkSNILSOnRole (the
// contract's PractitionerRole has no identifier: it is added as JSON).
func (q Quirks) role(r json.RawMessage, p *practitioner) json.RawMessage {
	var m map[string]any
	if !q.Has(QuirkSNILSOnRole) || json.Unmarshal(r, &m) != nil {
		return r
	}
	m["identifier"] = []misv2.Identifier{{System: misv2.SNILSSystem, Value: p.snils}}
	return mustJSON(m)
}

// echoPatient adds the patient to a's participants under
// QuirkEchoPatient (the period search, which names the patient anyway,
// then names it twice).
func (q Quirks) echoPatient(a *misv2.Appointment, v apptView) {
	if id := v.patient.identifier(); id != nil && q.Has(QuirkEchoPatient) {
		a.Participant = append(a.Participant, misv2.AppointmentParticipant{
			Actor: misv2.Reference{Type: "Patient", Identifier: id}, Status: "accepted"})
	}
}

// holdAnswer is the $hold answer: without its hold key under
// QuirkNoHoldKey.
func (q Quirks) holdAnswer(v apptView) apptView {
	if q.Has(QuirkNoHoldKey) {
		v.holdKey = ""
	}
	return v
}

// anonymousKeys numbers the calls QuirkOptionalKey takes without a key.
var anonymousKeys atomic.Int64

// idempotencyKey is the request's Idempotency-Key; under QuirkOptionalKey
// a call without one gets a fresh key of its own instead of a refusal.
func (q Quirks) idempotencyKey(r *http.Request) (string, *opError) {
	if r.Header.Get(misv2.HeaderIdempotencyKey) == "" && q.Has(QuirkOptionalKey) {
		return "anonymous-" + strconv.FormatInt(anonymousKeys.Add(1), 10), nil
	}
	return idempotencyKey(r)
}

// booked is the status $book leaves a hold in: still pending under
// QuirkBookStaysPending.
func (q Quirks) booked() string {
	if q.Has(QuirkBookStaysPending) {
		return misv2.StatusPending
	}
	return misv2.StatusBooked
}

// rebook reports whether a cancelled or lapsed a is booked anyway
// (QuirkBookCancelled); it takes the slot back when nothing else has.
func (q Quirks) rebook(a *appointment) bool {
	if !q.Has(QuirkBookCancelled) || (a.status != misv2.StatusCancelled && a.status != statusExpired) {
		return false
	}
	if a.slot.live == nil {
		a.slot.live = a
	}
	return true
}

// release frees a cancelled appointment's slot, except under
// QuirkCancelKeepsSlot.
func (q Quirks) release(a *appointment) {
	if !q.Has(QuirkCancelKeepsSlot) {
		a.release()
	}
}
