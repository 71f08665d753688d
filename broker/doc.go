// Package broker is the federal front end of the federation broker. Its
// subpackages own the citizen-facing HTTP API (api), citizen identity and
// pseudonymisation (auth). It starts and queries sagas through the sagas
// packages and reaches the regions only through the contracts ports.
package broker
