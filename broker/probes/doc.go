// Package probes owns the results of the live conformance probes: the
// read-only requirements of the vendor kit that serve runs against every
// region on a schedule (cmd/federation/internal/system/probes.go).
//
// It keeps, in tables of its own in the shared database, the latest
// result of each requirement per region (status, a redacted evidence
// excerpt, duration, when it was checked), the history of runs (counts and
// the IDs that failed, pruned after a retention) and a lease per region,
// so that one instance at a time probes a region. Reader is what the API
// and the analysts' read model use; nothing here calls an MIS.
//
// Evidence is stored only through Excerpt: bounded, with the region's
// credentials and anything shaped like a personal identifier (a run of 11
// or more digits: SNILS, OMS policy numbers) replaced, because the results
// are shown to analysts and operators and kept for months.
package probes
