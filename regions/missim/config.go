package missim

import (
	"errors"
	"fmt"
	"time"
)

// Config describes one simulated region. The zero value of every field but
// Region is usable: New fills in the defaults listed on each field.
type Config struct {
	// Region is the federal subject code ("77", "78", "16"); it is part of
	// every facility OID. Required.
	Region string
	// TimeZone is the region's IANA zone; default "Europe/Moscow".
	TimeZone string
	// Seed makes names, addresses and slot ids reproducible.
	Seed int64
	// Now is the clock; default time.Now. Tests inject one to expire holds.
	Now func() time.Time
	// HoldTTL is how long a hold lives before it lapses; default 5 minutes.
	HoldTTL time.Duration
	// SessionTTL is how long a Session_ID of the SOAP style (soapsim) lives
	// after GetPatientInfo opens it; a call with an older one is the fault
	// SESSION_EXPIRED. Default 20 minutes; the other styles have no
	// sessions.
	SessionTTL time.Duration
	// FeedSlotPrefix is the prefix of the slot ids a publisher of the feed
	// style (feedsim) writes; default "S-". A feed's slot ids are what the
	// broker keys the slots its bookings hold by, so a harness that starts
	// a new publisher per run against one shared broker database (the
	// drills on PostgreSQL) gives each run its own: two real publishers'
	// ids never meet. The other styles' ids are always "S-<n>".
	FeedSlotPrefix string
	// Days is how many calendar days of slots are generated, starting with
	// the local day of Now at New; default 14. Sundays have no slots.
	Days int
	// Facilities is the number of polyclinics; default 3.
	Facilities int
	// PractitionersPerFacility is the number of doctors at each; default 6.
	PractitionersPerFacility int
	// SlotMinutes is the length of one slot; default 20.
	SlotMinutes int
	// DayStartHour and DayEndHour bound the working day in local time;
	// defaults 8 and 20.
	DayStartHour, DayEndHour int
	// RequireAttachment lists specialty codes (for example
	// SpecialtyTherapy, misv2.SpecialtySystem) for
	// which the patient must be attached to the slot's facility; others get
	// 422 not-attached. See (*Server).AttachedLocation.
	RequireAttachment []string
	// RequireReferral lists specialty codes for which $hold needs a
	// "referral" parameter; without it the answer is 422 referral-required.
	RequireReferral []string
	// BearerToken, when set, is required as "Authorization: Bearer <token>"
	// on every contract call (admin endpoints excepted); others get 401.
	BearerToken string
	// AdminToken, when set, is required as "Authorization: Bearer <token>"
	// on every /admin call, from anywhere; others get a 401 problem. When
	// empty, the admin endpoints answer only connections that arrived on a
	// loopback address (a test or demo on one machine) and 404 to all
	// others, so a simulator reachable over a network has no open admin.
	// At least 16 characters.
	AdminToken string
	// Quirks are bugs the simulator has on purpose (quirks.go), to see the
	// conformance kit catch them; none by default. Each simulator refuses
	// a quirk its style cannot have.
	Quirks Quirks
}

// SetDefaults fills in the defaults listed on each field; New calls it, and
// so do the other styles' simulators (soapsim, rpcsim), which share this
// Config.
func (c *Config) SetDefaults() { c.setDefaults() }

func (c *Config) setDefaults() {
	if c.TimeZone == "" {
		c.TimeZone = "Europe/Moscow"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HoldTTL == 0 {
		c.HoldTTL = 5 * time.Minute
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = 20 * time.Minute
	}
	setInt(&c.Days, 14)
	setInt(&c.Facilities, 3)
	setInt(&c.PractitionersPerFacility, 6)
	setInt(&c.SlotMinutes, 20)
	setInt(&c.DayStartHour, 8)
	setInt(&c.DayEndHour, 20)
}

func setInt(v *int, def int) {
	if *v == 0 {
		*v = def
	}
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	switch {
	case !isDigits(c.Region) || len(c.Region) > 3:
		return fmt.Errorf("missim: region %q is not a federal subject code", c.Region)
	case c.HoldTTL < 0:
		return errors.New("missim: HoldTTL must be positive")
	case c.SessionTTL < 0:
		return errors.New("missim: SessionTTL must be positive")
	case c.Days < 1 || c.Days > 366:
		return errors.New("missim: Days must be within 1..366")
	case c.Facilities < 1 || c.PractitionersPerFacility < 1:
		return errors.New("missim: Facilities and PractitionersPerFacility must be positive")
	case c.SlotMinutes < 5 || c.SlotMinutes > 240:
		return errors.New("missim: SlotMinutes must be within 5..240")
	case c.DayStartHour < 0 || c.DayEndHour > 24 || c.DayStartHour >= c.DayEndHour:
		return errors.New("missim: working day must satisfy 0 <= DayStartHour < DayEndHour <= 24")
	case c.AdminToken != "" && len(c.AdminToken) < minAdminToken:
		return fmt.Errorf("missim: AdminToken must have at least %d characters", minAdminToken)
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("missim: time zone: %w", err)
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
