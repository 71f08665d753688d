package jsonrpc

import (
	"fmt"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/mishttp"
)

// Config configures one Client, the JSON-RPC endpoint of one region's MIS.
type Config struct {
	// Region is the region this MIS serves; its TimeZone renders query
	// dates and checks the offsets of slot times.
	Region contracts.Region `yaml:"-"`
	// EndpointConfig is the endpoint and how it is called: the same keys
	// as every kind that POSTs each call to one URL.
	mishttp.EndpointConfig `yaml:",inline"`
	// RefSecret keys the one-way patient reference kept in the ledger
	// (optional; without it the reference is keyed by the step key alone,
	// which is stored beside it). Secret: never in logs or errors.
	RefSecret string `yaml:"ref_secret"`
}

// Validate reports what is wrong with c, wrapping contracts.ErrInvalid.
func (c Config) Validate() error {
	if err := c.EndpointConfig.Validate(c.Region); err != nil {
		return fmt.Errorf("jsonrpc client config: %w: %w", err, contracts.ErrInvalid)
	}
	return nil
}
