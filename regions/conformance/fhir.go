package conformance

import (
	"time"

	"github.com/fedhealth/federation/contracts"
	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
	fhirkit "github.com/fedhealth/federation/contracts/misv2/conformance"
	"github.com/fedhealth/federation/regions/fhir"
)

// newFHIRSuite is the contract's own suite (contracts/misv2/conformance)
// against the target: its client speaks the contract directly, since the
// contract is what a fhir MIS implements.
func newFHIRSuite(t Target) (*Suite, error) {
	hc, err := t.httpClient()
	if err != nil {
		return nil, err
	}
	ft := fhirkit.Target{BaseURL: t.URL, BearerToken: t.BearerToken, HTTPClient: hc,
		TimeZone: t.Region.TimeZone, Recorder: t.Recorder, Patient: fhirPatient(t.Patient),
		MaxHoldWait: t.MaxHoldWait, Callback: t.Callback}
	s := &Suite{Requirements: fhirkit.Requirements(ft)}
	var p *port
	if t.Region.TimeZone != "" { // the adapter places every time in the region's zone
		c, err := newFHIRAdapter(t)
		if err != nil {
			return nil, err
		}
		loc, _ := time.LoadLocation(t.Region.TimeZone) // loaded in withDefaults
		p = newPort(c, t.Recorder, loc, t.Patient)
		s.closers = append(s.closers, c)
	}
	s.Requirements = append(s.Requirements, fhirPortRequirements(p)...)
	return s, nil
}

// newFHIRAdapter is the one place the kit builds the fhir adapter, with
// the target's base URL and credentials.
func newFHIRAdapter(t Target) (*fhir.Client, error) {
	return fhir.New(fhir.Config{Region: t.Region, BaseURL: t.URL, BearerToken: t.BearerToken, TLS: t.TLS,
		CallTimeout: t.Timeout}, nil)
}

// fhirPortRequirements drive the MIS through the broker's own fhir adapter
// (regions/fhir), as the sagas do: the contract's suite speaks the wire,
// these check that the adapter and the MIS agree. p is nil without a time
// zone (the adapter needs one) or for Catalog.
func fhirPortRequirements(p *port) []kit.Requirement {
	needsPort := func(run func(kit.T, *port)) func(kit.T) {
		return func(t kit.T) {
			if p == nil {
				t.Skip("the broker's adapter needs the region's time zone (--time-zone or --region)")
			}
			run(t, p)
		}
	}
	return []kit.Requirement{
		{ID: "FHIR-PORT-01", Title: "The broker's adapter searches and reads slots", Required: true, ReadOnly: true, Run: needsPort(searchThroughAdapter)},
		{ID: "FHIR-PORT-02", Title: "The broker's adapter holds, books and cancels, the slot taken and freed", Required: true, Run: needsPort(bookAndCancel)},
		{ID: "FHIR-PORT-03", Title: "Through the broker's adapter a repeated hold is one appointment and a taken slot is refused", Required: true, Run: needsPort(func(t kit.T, p *port) {
			holdTwiceOneAppointment(t, p)
			takenRefused(t, p)
		})},
	}
}

// fhirPatient is the patient as $hold names it.
func fhirPatient(p contracts.Patient) []misv2.Identifier {
	var ids []misv2.Identifier
	if p.SNILS != "" {
		ids = append(ids, misv2.Identifier{System: misv2.SNILSSystem, Value: p.SNILS})
	}
	if p.OMS != "" {
		ids = append(ids, misv2.Identifier{System: misv2.OMSSystem, Value: p.OMS})
	}
	return ids
}

func fhirCatalog() []kit.Requirement {
	return append(fhirkit.Requirements(fhirkit.Target{BaseURL: "http://catalog.invalid"}), fhirPortRequirements(nil)...)
}
