// Package feedsim is the reference slot publisher for the broker's feed
// regions: an in-memory SMART Scheduling Links publisher (format in
// regions/feed/wire) serving a $bulk-publish manifest and NDJSON files of
// Location, Schedule and Slot from seeded data in the region's time zone,
// with ETag, Last-Modified and 304 as static hosting gives them.
//
// It owns three things: the behaviour of a faithful publisher (one Slot
// file per facility, free and busy slots, booking-deep-link and
// booking-phone extensions, a new transactionTime whenever the data
// changes), a fault injector for the reader's tests (down, latency, broken
// lines, a manifest pointing at another host, a huge file), and admin
// endpoints to set faults and to change a slot as the clinic's own desk
// would.
//
// The admin endpoints (/admin/...) follow the rule of regions/missim: with
// an admin token every caller must present it; without one only callers on
// the loopback interface get in.
package feedsim
