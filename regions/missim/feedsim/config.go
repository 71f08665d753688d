package feedsim

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/fedhealth/federation/regions/missim"
)

// Config describes one simulated publisher. The zero value of every field
// but Region is usable: New fills in the defaults listed on each field.
type Config struct {
	// Region is the federal subject code ("25"); it is part of every
	// facility OID. Required.
	Region string
	// TimeZone is the region's IANA zone; default "Europe/Moscow".
	TimeZone string
	// Seed makes names, addresses and busy slots reproducible.
	Seed int64
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Days is how many calendar days of slots are published, from the local
	// day of Now at New; default 7. Sundays have no slots.
	Days int
	// Facilities is the number of clinics; default 2.
	Facilities int
	// PractitionersPerFacility is the number of doctors at each; default 3.
	PractitionersPerFacility int
	// SlotMinutes is the length of one slot; default 20.
	SlotMinutes int
	// DayStartHour and DayEndHour bound the working day; defaults 9 and 18.
	DayStartHour, DayEndHour int
	// BusyRate is the fraction (0..1) of slots published busy; default
	// 0.3, and a negative value publishes every slot free.
	BusyRate float64
	// PublicURL is the base URL written into the manifest; default the
	// scheme and Host of each manifest request.
	PublicURL string
	// AdminToken, when set, is required as "Authorization: Bearer <token>"
	// on every /admin call; when empty, only loopback connections are
	// served. At least 16 characters.
	AdminToken string
	// SlotPrefix is the prefix of every slot id ("<prefix><n>"); default
	// "S-" (see missim.Config.FeedSlotPrefix).
	SlotPrefix string
	// Quirks are bugs the publisher has on purpose (missim.Quirk): those
	// missim.QuirkKinds gives kind feed.
	Quirks missim.Quirks
}

func (c *Config) setDefaults() {
	if c.TimeZone == "" {
		c.TimeZone = "Europe/Moscow"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.SlotPrefix == "" {
		c.SlotPrefix = "S-"
	}
	setInt(&c.Days, 7)
	setInt(&c.Facilities, 2)
	setInt(&c.PractitionersPerFacility, 3)
	setInt(&c.SlotMinutes, 20)
	setInt(&c.DayStartHour, 9)
	setInt(&c.DayEndHour, 18)
	switch {
	case c.BusyRate == 0:
		c.BusyRate = 0.3
	case c.BusyRate < 0:
		c.BusyRate = 0
	}
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
		return fmt.Errorf("feedsim: region %q is not a federal subject code", c.Region)
	case c.Days < 1 || c.Days > 366:
		return errors.New("feedsim: Days must be within 1..366")
	case c.Facilities < 1 || c.PractitionersPerFacility < 1:
		return errors.New("feedsim: Facilities and PractitionersPerFacility must be positive")
	case c.SlotMinutes < 5 || c.SlotMinutes > 240:
		return errors.New("feedsim: SlotMinutes must be within 5..240")
	case c.DayStartHour < 0 || c.DayEndHour > 24 || c.DayStartHour >= c.DayEndHour:
		return errors.New("feedsim: working day must satisfy 0 <= DayStartHour < DayEndHour <= 24")
	case c.BusyRate > 1:
		return errors.New("feedsim: BusyRate must be within 0..1")
	case c.AdminToken != "" && len(c.AdminToken) < missim.MinAdminToken:
		return fmt.Errorf("feedsim: AdminToken must have at least %d characters", missim.MinAdminToken)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("feedsim: PublicURL must be an absolute http(s) URL")
		}
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("feedsim: time zone: %w", err)
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
