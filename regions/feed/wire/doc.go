// Package wire is the publication format of SMART Scheduling Links (HL7
// STU 1, modelled on https://github.com/smart-on-fhir/smart-scheduling-links
// specification.md): a $bulk-publish manifest pointing at NDJSON files of
// FHIR R4 Location, Schedule and Slot resources. The feed reader
// (regions/feed) and the feed simulator (regions/missim/feedsim) share
// these types so the two cannot drift apart.
//
// The shapes carry what the broker reads and the simulator writes, no more:
// unknown fields are ignored when decoding, as FHIR readers do.
package wire
