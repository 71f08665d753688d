package soapsim

import (
	"errors"
	"fmt"
	"time"

	"github.com/fedhealth/federation/regions/missim"
)

// Config describes one simulated region. Every field but Region has a
// default, filled in by New.
type Config struct {
	// Region is the federal subject code; part of every MO_OID. Required.
	Region string
	// TimeZone is the region's IANA zone; default "Europe/Moscow".
	TimeZone string
	// Seed makes names and identifiers reproducible.
	Seed int64
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Days of slots from the local day of Now (Sundays have none); default 14.
	Days int
	// Facilities and PractitionersPerFacility size the directory;
	// defaults 3 and 6.
	Facilities, PractitionersPerFacility int
	// SlotMinutes is a slot's length; default 20.
	SlotMinutes int
	// DayStartHour and DayEndHour bound the local working day; defaults 8, 20.
	DayStartHour, DayEndHour int
	// RequireAttachment lists specialty codes whose slots only patients
	// attached to the slot's organisation may book (NOT_ATTACHED otherwise).
	RequireAttachment []string
	// RequireReferral lists specialty codes that need a referral, which no
	// simulated patient has (REFERRAL_REQUIRED).
	RequireReferral []string
	// BearerToken, when set, is required on every SOAP call.
	BearerToken string
	// AdminToken, when set, is required on /admin calls from anywhere;
	// when empty only loopback callers get in. At least 16 characters.
	AdminToken string
}

func (c *Config) setDefaults() {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if c.TimeZone == "" {
		c.TimeZone = "Europe/Moscow"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	def(&c.Days, 14)
	def(&c.Facilities, 3)
	def(&c.PractitionersPerFacility, 6)
	def(&c.SlotMinutes, 20)
	def(&c.DayStartHour, 8)
	def(&c.DayEndHour, 20)
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	switch {
	case !digits(c.Region, 1, 3):
		return fmt.Errorf("soapsim: region %q is not a federal subject code", c.Region)
	case c.Days < 1 || c.Days > 366:
		return errors.New("soapsim: Days must be within 1..366")
	case c.Facilities < 1 || c.PractitionersPerFacility < 1:
		return errors.New("soapsim: Facilities and PractitionersPerFacility must be positive")
	case c.SlotMinutes < 5 || c.SlotMinutes > 240:
		return errors.New("soapsim: SlotMinutes must be within 5..240")
	case c.DayStartHour < 0 || c.DayEndHour > 24 || c.DayStartHour >= c.DayEndHour:
		return errors.New("soapsim: working day must satisfy 0 <= DayStartHour < DayEndHour <= 24")
	case c.AdminToken != "" && len(c.AdminToken) < missim.MinAdminToken:
		return fmt.Errorf("soapsim: AdminToken must have at least %d characters", missim.MinAdminToken)
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("soapsim: time zone: %w", err)
	}
	return nil
}

// digits reports whether s is min..max decimal digits.
func digits(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
