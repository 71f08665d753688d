package analytics

import (
	"fmt"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// MaxDays is the longest period a report covers.
const MaxDays = 366

// DefaultDays is the period a report covers when from is not given.
const DefaultDays = 30

// Filter selects the base cells a report sums: whole UTC days from From
// to To (inclusive, YYYY-MM-DD) and one whole region or all. Nothing
// finer exists, so every filtered figure is a sum of whole base cells.
type Filter struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Region string `json:"region,omitempty"`
}

// InvalidError is a filter the reader must correct; its text is safe to
// show.
type InvalidError struct{ detail string }

func (e *InvalidError) Error() string { return e.detail }

// Unwrap makes the error a contracts.ErrInvalid.
func (e *InvalidError) Unwrap() error { return contracts.ErrInvalid }

// PublicDetail is the text a client may read.
func (e *InvalidError) PublicDetail() string { return e.detail }

func invalid(format string, args ...any) error {
	return &InvalidError{detail: fmt.Sprintf(format, args...)}
}

// ParseFilter checks from, to and region as a reader gave them (empty:
// the defaults, the DefaultDays days up to today) and returns the filter.
func ParseFilter(from, to, region string, now time.Time) (Filter, error) {
	end := now.UTC().Truncate(24 * time.Hour)
	if to != "" {
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			return Filter{}, invalid("to must be a date, YYYY-MM-DD.")
		}
		end = t
	}
	start := end.AddDate(0, 0, -(DefaultDays - 1))
	if from != "" {
		t, err := time.Parse(time.DateOnly, from)
		if err != nil {
			return Filter{}, invalid("from must be a date, YYYY-MM-DD.")
		}
		start = t
	}
	switch {
	case start.After(end):
		return Filter{}, invalid("from must not be after to.")
	case end.Sub(start) >= MaxDays*24*time.Hour:
		return Filter{}, invalid("a report covers at most %d days.", MaxDays)
	case region != "" && !contracts.ValidRegionCode(region):
		return Filter{}, invalid("region must be a region code.")
	}
	return Filter{From: start.Format(time.DateOnly), To: end.Format(time.DateOnly), Region: region}, nil
}
