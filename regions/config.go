package regions

import (
	"errors"
	"fmt"
	"time"

	"github.com/fedhealth/federation/regions/jsonrpc"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/breaker"
	"github.com/fedhealth/federation/regions/feed"
	"github.com/fedhealth/federation/regions/fhir"
	"github.com/fedhealth/federation/regions/soap"
)

// Config describes one region. The region fields of MIS and Breaker
// (Region, providers, hook) are filled in by the registry.
type Config struct {
	// Code is the federal subject code, e.g. "77".
	Code string `yaml:"code"`
	// Name is shown to citizens.
	Name string `yaml:"name"`
	// TimeZone is the IANA name of the region's zone, e.g. "Asia/Vladivostok".
	TimeZone string `yaml:"time_zone"`
	// Kind is the style the region's MIS speaks (see kinds); default fhir.
	Kind contracts.RegionKind `yaml:"kind"`
	// MIS is the endpoint of a fhir region's MIS: URL, credentials,
	// timeouts and retries.
	MIS fhir.Config `yaml:"mis"`
	// SOAP is the endpoint of a soap region's MIS.
	SOAP soap.Config `yaml:"soap"`
	// JSONRPC is the endpoint of a jsonrpc region's MIS.
	JSONRPC jsonrpc.Config `yaml:"jsonrpc"`
	// Feed is the slot publisher of a feed region: its base URL and polling.
	Feed feed.Config `yaml:"feed"`
	// Breaker is the region's circuit breaker and concurrency limit.
	Breaker breaker.Config `yaml:"breaker"`
}

// Validate reports what is wrong with c, wrapping contracts.ErrInvalid. The
// MIS and breaker settings are checked by their constructors.
func (c Config) Validate() error {
	var errs []error
	if !contracts.ValidRegionCode(c.Code) {
		errs = append(errs, fmt.Errorf("code %q malformed", c.Code))
	}
	if c.Name == "" {
		errs = append(errs, errors.New("name missing"))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" {
		errs = append(errs, fmt.Errorf("time zone %q does not load", c.TimeZone))
	}
	if _, ok := kinds[c.kind()]; !ok {
		errs = append(errs, fmt.Errorf("kind %q unknown (known: %s)", c.Kind, knownKinds()))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("region %q: %w: %w", c.Code, err, contracts.ErrInvalid)
	}
	return nil
}

// validateAll checks every region and that no code appears twice.
func validateAll(cfgs []Config) error {
	seen := make(map[string]bool, len(cfgs))
	var errs []error
	for _, c := range cfgs {
		if err := c.Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[c.Code] {
			errs = append(errs, fmt.Errorf("region %q configured twice: %w", c.Code, contracts.ErrInvalid))
		}
		seen[c.Code] = true
	}
	return errors.Join(errs...)
}

func (c Config) region() contracts.Region {
	return contracts.Region{Code: c.Code, Name: c.Name, TimeZone: c.TimeZone, Kind: c.kind()}
}

// kind is the region's kind, fhir when none is configured.
func (c Config) kind() contracts.RegionKind {
	if c.Kind == "" {
		return contracts.RegionFHIR
	}
	return c.Kind
}
