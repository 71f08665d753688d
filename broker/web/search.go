package web

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
)

// regionView is a region in the search's select, its status said plainly.
type regionView struct {
	bookings.Region
	// StatusKey is the text of its status; FeedKey, for a feed region,
	// says who confirms (or that its times are unknown now).
	StatusKey, FeedKey string
	Feed               bool
	DeadlineHours      int
	Selected           bool
}

// searchView is the search page's data.
type searchView struct {
	Regions []regionView
	Query   bookings.SearchSlots
	Region  *regionView // the searched region, nil before a search
	// Specialties are the federal directory's, for the specialty select
	// (a citizen chooses a name; the search takes its code).
	Specialties []misv2.Specialty
	Searched    bool
	Days        []dayView
	// Moving is the booking being rescheduled, "" for a new booking.
	Moving string
}

type dayView struct {
	Date          string
	Practitioners []practitionerView
}

type practitionerView struct {
	Name, Specialty, Facility, Address string
	Slots                              []slotView
}

type slotView struct {
	ID, Time, Zone, Key string
}

func (s *Server) regionViews(selected string) []regionView {
	regs := s.cfg.Bookings.Regions()
	out := make([]regionView, len(regs))
	for i, reg := range regs {
		v := regionView{Region: reg, StatusKey: "region." + string(reg.Status), Selected: reg.Code == selected}
		if reg.Kind == contracts.RegionFeed {
			v.Feed, v.FeedKey = true, "region.feed"
			v.DeadlineHours = int(s.cfg.Bookings.PendingDeadline(reg.Code).Round(time.Hour) / time.Hour)
			if reg.Feed != nil && !reg.Feed.Known {
				v.FeedKey = "region.feedunknown"
			}
		}
		out[i] = v
	}
	return out
}

// search shows the form and, once a region is chosen, the free slots
// grouped by day and practitioner, in the region's local time.
func (s *Server) search(w http.ResponseWriter, r *http.Request, _ auth.Citizen) {
	q := r.URL.Query()
	cmd := bookings.SearchSlots{Region: q.Get("region"), Specialty: q.Get("specialty"), Practitioner: q.Get("practitioner"),
		Facility: q.Get("facility"), From: q.Get("from"), To: q.Get("to")}
	v := searchView{Regions: s.regionViews(cmd.Region), Query: cmd, Moving: q.Get("reschedule"), Specialties: specialtiesByName}
	for i := range v.Regions {
		if v.Regions[i].Selected {
			v.Region = &v.Regions[i]
		}
	}
	if v.Moving != "" && !bookingIDPattern.MatchString(v.Moving) {
		s.fail(w, r, errBadBookingID)
		return
	}
	if cmd.Region != "" {
		found, err := s.cfg.Bookings.SearchSlots(r.Context(), cmd)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Searched, v.Days = true, groupSlots(found, s.location(cmd.Region))
	}
	s.render(w, r, http.StatusOK, "search", "search.title", v)
}

// specialtiesByName is the directory's list in the order of its names,
// as a citizen looks for one.
var specialtiesByName = func() []misv2.Specialty {
	out := slices.Clone(misv2.Specialties)
	slices.SortFunc(out, func(a, b misv2.Specialty) int { return strings.Compare(a.Display, b.Display) })
	return out
}()

// groupSlots groups slots (in the MIS's order, by time) by local day and
// then practitioner, in first-seen order.
func groupSlots(found []bookings.Slot, loc *time.Location) []dayView {
	var days []dayView
	for _, sl := range found {
		start := sl.Start.In(loc)
		date := start.Format(time.DateOnly)
		if len(days) == 0 || days[len(days)-1].Date != date {
			days = append(days, dayView{Date: date})
		}
		d := &days[len(days)-1]
		pi := -1
		for i, p := range d.Practitioners {
			if p.Name == sl.Practitioner.Name && p.Facility == sl.Facility.Name {
				pi = i
			}
		}
		if pi < 0 {
			d.Practitioners = append(d.Practitioners, practitionerView{Name: sl.Practitioner.Name,
				Specialty: sl.Specialty.Display, Facility: sl.Facility.Name, Address: sl.Facility.Address})
			pi = len(d.Practitioners) - 1
		}
		// The key makes a resubmitted form (a double click, a retry) the
		// same booking: the service derives the booking's id from it.
		d.Practitioners[pi].Slots = append(d.Practitioners[pi].Slots,
			slotView{ID: sl.ID, Time: start.Format("15:04"), Zone: zoneOf(start), Key: rand.Text()})
	}
	return days
}

// zoneOf is "UTC+03:00, Europe/Moscow": the offset and the zone's name.
func zoneOf(t time.Time) string {
	return fmt.Sprintf("UTC%s, %s", t.Format("-07:00"), t.Location())
}

// location is the region's time zone, UTC for one the registry lacks.
func (s *Server) location(region string) *time.Location {
	if loc, ok := s.zones[region]; ok {
		return loc
	}
	return time.UTC
}

// zonesOf loads every region's time zone once (the registry is fixed).
func zonesOf(regs []bookings.Region) (map[string]*time.Location, error) {
	out := make(map[string]*time.Location, len(regs))
	for _, reg := range regs {
		loc, err := time.LoadLocation(reg.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("web: region %s: %w", reg.Code, err)
		}
		out[reg.Code] = loc
	}
	return out, nil
}
