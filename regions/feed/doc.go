// Package feed owns the broker's side of the regions that only publish
// free slots: a SMART Scheduling Links reader (format in package wire).
// A Source polls one publisher's $bulk-publish manifest and its NDJSON
// files of Location, Schedule and Slot, keeps the data set of the last
// successful sync with its time, and answers slot searches from it with
// the filters, limits and time-zone rules of the real-time client
// (regions/fhir).
//
// What it supplies that a feed lacks:
//   - freshness: conditional polls (If-None-Match, If-Modified-Since; a 304
//     is a successful sync), and an availability that turns "unknown" when
//     the last successful sync is older than a bound, so a stale or failing
//     publisher is shown as such instead of advertising slots long gone;
//   - safety against bad answers: every file must sit on the configured
//     origin (else the manifest is refused), every body is bounded in size
//     and time, a broken line is skipped and counted, and any failure keeps
//     the last good data set whole;
//
// Which slots are booked through the broker is not this package's to
// know: the broker's bookings are the truth, shared by every instance,
// and its search subtracts them (broker/bookings).
//
// Booking is not this package's: a feed has no booking interface, so a
// Source is deliberately not a contracts.MIS. It is a slot source
// (SearchSlots and ReadSlot with the port's signatures, Contact for the
// operators); feed regions book through the region's
// operator queue, which lives elsewhere.
package feed
