package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts"
	kit "github.com/fedhealth/federation/contracts/conformance"
	fhirkit "github.com/fedhealth/federation/contracts/misv2/conformance"
	"github.com/fedhealth/federation/regions/mishttp"
	"github.com/fedhealth/federation/regions/soap"
)

// Ledger is the step ledger the soap and jsonrpc adapters keep (the same
// port in both: soap.Ledger, jsonrpc.Ledger); sagas/ledger implements it.
type Ledger interface{ soap.Ledger }

// Target is one MIS under test, of any kind.
type Target struct {
	// Kind is the MIS's region kind.
	Kind contracts.RegionKind
	// URL is where the MIS answers: the contract base URL (fhir), the
	// SOAP or JSON-RPC endpoint (soap, jsonrpc), the publisher's base URL
	// below which $bulk-publish hangs (feed).
	URL string
	// BearerToken, when set, is sent on every call. Secret: never in a
	// report, a log or an error.
	BearerToken string
	// TLS names the client certificate and CA files for mutual TLS.
	TLS mishttp.TLSFiles
	// Region is the region the MIS serves. Its TimeZone is required for
	// soap, jsonrpc and feed (their adapters place times with it) and
	// checks every offset; the code defaults to "00".
	Region contracts.Region
	// Patient is a test patient the MIS knows; zero means a synthetic one
	// (valid SNILS and OMS number, a fixed birth date), which the
	// reference simulators accept.
	Patient contracts.Patient
	// Ledger is the step ledger of the soap and jsonrpc adapters; nil for
	// those kinds is an error.
	Ledger Ledger
	// Timeout bounds each call (default 10s).
	Timeout time.Duration
	// Recorder receives each operation's latency; nil records none.
	Recorder *kit.Recorder
	// MaxHoldWait is how long the fhir lapse requirements may wait for a
	// hold to lapse (default fhirkit.DefaultMaxHoldWait).
	MaxHoldWait time.Duration
	// Callback, when set, receives the MIS's status callbacks (FHIR-CB-01,
	// SOAP-CB-01); nil skips those requirements. Its secrets are never
	// reported.
	Callback *fhirkit.CallbackCheck
}

// Kinds are the region kinds the kit checks, in the order it lists them.
var Kinds = []contracts.RegionKind{contracts.RegionFHIR, contracts.RegionSOAP, contracts.RegionJSONRPC, contracts.RegionFeed}

// ErrUnknownKind is returned for a kind the kit has no requirements for.
var ErrUnknownKind = errors.New("conformance: unknown region kind")

// Suite is one kind's requirements bound to one target, with the clients
// they share. Close it when done.
type Suite struct {
	// Requirements are the kind's requirements in the order they run,
	// each bound to the target.
	Requirements []kit.Requirement
	closers      []io.Closer
}

// Close releases the suite's clients.
func (s *Suite) Close() error {
	var errs []error
	for _, c := range slices.Backward(s.closers) {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// NewSuite builds the requirements of target.Kind against target. It
// makes no call yet; a bad target (no URL, no time zone where one is
// needed, no ledger for soap or jsonrpc, unreadable TLS files) is an error
// wrapping contracts.ErrInvalid.
func NewSuite(target Target) (*Suite, error) {
	target, err := target.withDefaults()
	if err != nil {
		return nil, err
	}
	switch target.Kind {
	case contracts.RegionFHIR:
		return newFHIRSuite(target)
	case contracts.RegionSOAP:
		return newSOAPSuite(target)
	case contracts.RegionJSONRPC:
		return newRPCSuite(target)
	case contracts.RegionFeed:
		return newFeedSuite(target)
	}
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownKind, target.Kind, kindList())
}

func kindList() string {
	var s []string
	for _, k := range Kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// Catalog lists kind's requirements in the order they run, with their
// IDs, titles and flags; their Run is not bound to any MIS and must not
// be called.
func Catalog(kind contracts.RegionKind) ([]kit.Requirement, error) {
	var reqs []kit.Requirement
	switch kind {
	case contracts.RegionFHIR:
		reqs = fhirCatalog()
	case contracts.RegionSOAP:
		reqs = soapRequirements(nil)
	case contracts.RegionJSONRPC:
		reqs = rpcRequirements(nil)
	case contracts.RegionFeed:
		reqs = feedRequirements(nil)
	default:
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownKind, kind, kindList())
	}
	for i := range reqs {
		reqs[i].Run = nil
	}
	return reqs, nil
}

// ReadOnlyIDs lists the IDs of kind's requirements that are safe against
// production, the live probes' set.
func ReadOnlyIDs(kind contracts.RegionKind) ([]string, error) {
	reqs, err := Catalog(kind)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range reqs {
		if r.ReadOnly {
			ids = append(ids, r.ID)
		}
	}
	return ids, nil
}

// Check runs target's requirements that opts select and returns the
// report; opts.Target is filled from target where left empty (never with
// the token). It is what `federation conformance` and the live probes call.
func Check(ctx context.Context, target Target, opts kit.Options) (kit.Report, error) {
	if target.Recorder == nil {
		target.Recorder = kit.NewRecorder()
	}
	s, err := NewSuite(target)
	if err != nil {
		return kit.Report{}, err
	}
	defer s.Close()
	opts.Recorder = target.Recorder
	fillMeta(&opts.Target, target)
	return kit.Run(ctx, s.Requirements, opts)
}

func fillMeta(m *kit.Target, t Target) {
	if m.Kind == "" {
		m.Kind = string(t.Kind)
	}
	if m.URL == "" {
		m.URL = t.URL
	}
	if m.Region == "" {
		m.Region = t.Region.Code
	}
	if m.TimeZone == "" {
		m.TimeZone = t.Region.TimeZone
	}
}

func (t Target) withDefaults() (Target, error) {
	if t.Kind == "" {
		t.Kind = contracts.RegionFHIR
	}
	if t.Timeout <= 0 {
		t.Timeout = 10 * time.Second
	}
	if t.Region.Code == "" {
		t.Region.Code = "00"
	}
	if t.Patient == (contracts.Patient{}) {
		t.Patient = syntheticPatient()
	}
	var errs []error
	if t.URL == "" {
		errs = append(errs, errors.New("the MIS URL is required"))
	}
	if t.Region.TimeZone != "" {
		if _, err := time.LoadLocation(t.Region.TimeZone); err != nil {
			errs = append(errs, fmt.Errorf("time zone %q does not load", t.Region.TimeZone))
		}
	} else if t.Kind != contracts.RegionFHIR {
		errs = append(errs, fmt.Errorf("kind %s needs the region's time zone", t.Kind))
	}
	if (t.Kind == contracts.RegionSOAP || t.Kind == contracts.RegionJSONRPC) && t.Ledger == nil {
		errs = append(errs, fmt.Errorf("kind %s needs a step ledger", t.Kind))
	}
	if err := t.TLS.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return t, fmt.Errorf("conformance target: %w: %w", err, contracts.ErrInvalid)
	}
	return t, nil
}

// httpClient is the plain client of the raw wire checks: the target's
// TLS files, its timeout, no redirects followed (as the adapters).
func (t Target) httpClient() (*http.Client, error) {
	tlsCfg, err := t.TLS.Load()
	if err != nil {
		return nil, fmt.Errorf("conformance target: %w: %w", err, contracts.ErrInvalid)
	}
	return &http.Client{Transport: mishttp.NewTransport(tlsCfg), Timeout: t.Timeout, CheckRedirect: mishttp.RefuseRedirects}, nil
}
