package jsonrpc

import (
	"strconv"
	"strings"
	"time"
)

// The API names a slot by its resource and times, not by an id; the
// broker needs one id per slot. SlotID makes it: the resource id, the
// start in UTC to the minute and the length in minutes, joined by "~"
// (unreserved in URLs; UTC, so the id never depends on an offset).
//
//	3001~20260504T0600Z~20
const slotTimeLayout = "20060102T1504Z"

// SlotID is the broker's id of the slot of resourceID from start to end.
func SlotID(resourceID string, start, end time.Time) string {
	return resourceID + "~" + start.UTC().Format(slotTimeLayout) + "~" + strconv.Itoa(int(end.Sub(start)/time.Minute))
}

// ParseSlotID reverses SlotID; ok is false for anything SlotID cannot
// have made.
func ParseSlotID(id string) (resourceID string, start, end time.Time, ok bool) {
	rest, length, found := cutLast(id)
	if !found {
		return "", time.Time{}, time.Time{}, false
	}
	resourceID, when, found := cutLast(rest)
	minutes, err := strconv.Atoi(length)
	if !found || resourceID == "" || err != nil || minutes < 1 || minutes > 24*60 || length != strconv.Itoa(minutes) {
		return "", time.Time{}, time.Time{}, false
	}
	start, err = time.Parse(slotTimeLayout, when)
	if err != nil {
		return "", time.Time{}, time.Time{}, false
	}
	return resourceID, start, start.Add(time.Duration(minutes) * time.Minute), true
}

func cutLast(s string) (before, after string, found bool) {
	i := strings.LastIndexByte(s, '~')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}
