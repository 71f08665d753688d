package feed

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/fedhealth/federation/regions/feed/wire"
)

// Reasons a line or resource is skipped, the "reason" attribute of the
// feed.lines.skipped metric and the keys of Status.Skipped.
const (
	SkipMalformed  = "malformed"       // not JSON, wrong resourceType, required field missing or ill-formed
	SkipTooLong    = "too_long"        // longer than Config.MaxLineBytes
	SkipDuplicate  = "duplicate"       // a second resource with an id already seen
	SkipUnresolved = "unresolved"      // a Slot whose Schedule the feed does not contain
	SkipOffset     = "offset_mismatch" // a Slot whose UTC offset is not the region's at that instant
)

// idPattern is the specification's id syntax (up to 64 letters, digits,
// "_" and ".") together with FHIR's "-". Ids reach the broker's API and
// the operators' screens, so anything else is skipped.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9\-._]{1,64}$`)

func validID(id string) bool { return idPattern.MatchString(id) }

// fileData is one NDJSON file as read: the resources that decoded, and
// the count of lines skipped by reason.
type fileData struct {
	kind       string
	validators validators
	locations  []wire.Location
	schedules  []wire.Schedule
	slots      []wire.Slot
	skipped    map[string]int
}

// readNDJSON reads r line by line. A broken line is skipped and counted,
// the rest kept; only a read error (the connection, the size bound, the
// deadline) fails the file.
func readNDJSON(r io.Reader, kind string, maxLine int) (*fileData, error) {
	f := &fileData{kind: kind, skipped: map[string]int{}}
	br := bufio.NewReaderSize(r, maxLine)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			f.skipped[SkipTooLong]++
			if err = discardLine(br); err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			if err != nil {
				return f, nil
			}
			continue
		}
		if len(strings.TrimSpace(string(line))) > 0 && !f.add(line) {
			f.skipped[SkipMalformed]++
		}
		switch {
		case errors.Is(err, io.EOF):
			return f, nil
		case err != nil:
			return nil, err
		}
	}
}

// discardLine drops the rest of an overlong line.
func discardLine(br *bufio.Reader) error {
	for {
		_, err := br.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

// add decodes one line as the file's resource type; false when it does
// not decode or lacks what the broker needs.
func (f *fileData) add(line []byte) bool {
	switch f.kind {
	case wire.TypeLocation:
		var l wire.Location
		if json.Unmarshal(line, &l) != nil || l.ResourceType != wire.TypeLocation || !validID(l.ID) || l.Name == "" {
			return false
		}
		f.locations = append(f.locations, l)
	case wire.TypeSchedule:
		var s wire.Schedule
		if json.Unmarshal(line, &s) != nil || s.ResourceType != wire.TypeSchedule || !validID(s.ID) || len(s.Actor) == 0 {
			return false
		}
		f.schedules = append(f.schedules, s)
	case wire.TypeSlot:
		var s wire.Slot
		if json.Unmarshal(line, &s) != nil || s.ResourceType != wire.TypeSlot || !validID(s.ID) ||
			(s.Status != wire.StatusFree && s.Status != wire.StatusBusy) {
			return false
		}
		f.slots = append(f.slots, s)
	}
	return true
}

// instantLayouts are the ISO 8601 forms publishers use: RFC 3339, and the
// hour-only offset of the specification's own example ("…T15:00:00-05").
var instantLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-07", "2006-01-02T15:04-07:00"}

func parseInstant(s string) (time.Time, bool) {
	for _, layout := range instantLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
