package soapsim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/soap"
)

// Search limits of Max_Count.
const (
	defaultCount = 100
	maxCount     = 1000
)

func (s *Server) patientInfo(req *soap.GetPatientInfoRequest) (any, *simFault) {
	snils := strings.NewReplacer("-", "", " ", "").Replace(req.SNILS)
	switch {
	case snils == "" && req.OMSNumber == "":
		return nil, clientFault(soap.FaultInvalidRequest, "OMS_Number or SNILS is required")
	case snils != "" && !digits(snils, 11, 11):
		return nil, clientFault(soap.FaultInvalidRequest, "SNILS must have 11 digits")
	case req.OMSNumber != "" && !digits(req.OMSNumber, 16, 16):
		return nil, clientFault(soap.FaultInvalidRequest, "OMS_Number must have 16 digits")
	case req.BirthDate != "":
		if _, err := time.Parse(time.DateOnly, req.BirthDate); err != nil {
			return nil, clientFault(soap.FaultInvalidRequest, "Birth_Date must be YYYY-MM-DD")
		}
	}
	id := newSessionID()
	s.mu.Lock()
	now := s.cfg.Now()
	if len(s.sessions)%sessionSweepEvery == 0 {
		// Every booking opens a session: without this a long run (the
		// soak) would keep every one it ever opened.
		maps.DeleteFunc(s.sessions, func(_ string, ss session) bool { return !now.Before(ss.expires) })
	}
	s.sessions[id] = session{patient: patientKey(snils, req.OMSNumber), expires: now.Add(s.cfg.SessionTTL)}
	s.mu.Unlock()
	if s.cfg.Quirks.Has(missim.QuirkMissingRequired) {
		return &soap.GetPatientInfoResponse{}, nil // the session is opened, its id left out
	}
	return &soap.GetPatientInfoResponse{SessionID: id}, nil
}

// moInfo lists the organisations (with PostCode, those with that post).
// Under missim.QuirkIncompleteDirectory the region's last organisation is
// left out, though GetScheduleInfo still serves its slots.
func (s *Server) moInfo(req *soap.GetMOInfoExtendedRequest) (any, *simFault) {
	if req.BookingType != "" && req.BookingType != soap.BookingTypeAppointment {
		return nil, clientFault(soap.FaultInvalidRequest, "Booking_Type must be APPOINTMENT")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.SessionID != "" {
		if _, f := s.session(req.SessionID); f != nil {
			return nil, f
		}
	}
	facs := s.facilities
	if s.cfg.Quirks.Has(missim.QuirkIncompleteDirectory) {
		facs = facs[:len(facs)-1]
	}
	resp := &soap.GetMOInfoExtendedResponse{}
	for _, f := range facs {
		if req.PostCode == "" || f.hasPost(req.PostCode) {
			resp.MOs = append(resp.MOs, soap.MOInfo{OID: f.oid, Name: f.name, Address: f.address, Phone: f.phone})
		}
	}
	return resp, nil
}

// postSpecsInfo lists one organisation's posts with their resources.
func (s *Server) postSpecsInfo(req *soap.GetServicePostSpecsInfoRequest) (any, *simFault) {
	if req.MOOID == "" {
		return nil, clientFault(soap.FaultInvalidRequest, "MO_OID is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.SessionID != "" {
		if _, f := s.session(req.SessionID); f != nil {
			return nil, f
		}
	}
	i := slices.IndexFunc(s.facilities, func(f *facility) bool { return f.oid == req.MOOID })
	if i < 0 {
		return nil, clientFault(soap.FaultMONotFound, "no such organisation")
	}
	return &soap.GetServicePostSpecsInfoResponse{Posts: s.facilities[i].posts()}, nil
}

// scheduleInfo answers one slot by Slot_Id, or the free slots of one
// organisation: the e-registry has no region-wide schedule, so MO_OID is
// required without Slot_Id.
func (s *Server) scheduleInfo(req *soap.GetScheduleInfoRequest) (any, *simFault) {
	if req.SlotID == "" && req.MOOID == "" {
		return nil, clientFault(soap.FaultInvalidRequest, "MO_OID is required unless Slot_Id is given")
	}
	from, err1 := s.date(req.StartDate, 0)
	till, err2 := s.date(req.EndDate, 1) // the end date is inclusive
	if err1 != nil || err2 != nil || req.MaxCount < 0 {
		return nil, clientFault(soap.FaultInvalidRequest, "dates must be YYYY-MM-DD and Max_Count not negative")
	}
	count := defaultCount
	if req.MaxCount > 0 && !s.cfg.Quirks.Has(missim.QuirkIgnoreCount) {
		count = min(req.MaxCount, maxCount)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := &soap.GetScheduleInfoResponse{}
	if req.SlotID != "" {
		sl, ok := s.slots[req.SlotID]
		if !ok {
			return nil, clientFault(soap.FaultSlotNotFound, "no such slot")
		}
		resp.Slots = append(resp.Slots, s.slotRead(sl).wire())
		return resp, nil
	}
	for _, sl := range s.order {
		if len(resp.Slots) == count {
			break
		}
		p := sl.prac
		if sl.live != nil || (req.MOOID != "" && p.fac.oid != req.MOOID) || (req.PostCode != "" && p.post.Code != req.PostCode) ||
			(req.ResourceID != "" && p.id != req.ResourceID) || (!from.IsZero() && sl.start.Before(from)) || (!till.IsZero() && !sl.start.Before(till)) {
			continue
		}
		resp.Slots = append(resp.Slots, sl.wire())
	}
	if s.cfg.Quirks.Has(missim.QuirkUnsorted) {
		slices.Reverse(resp.Slots) // the page found by start, answered latest first
	}
	return resp, nil
}

// date parses a local calendar date plus days; "" is open (zero).
func (s *Server) date(v string, days int) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, v, s.loc)
	return t.AddDate(0, 0, days), err
}

func (s *Server) createAppointment(req *soap.CreateAppointmentRequest) (any, *simFault) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	patient, fault := s.session(req.SessionID)
	if fault != nil {
		return nil, fault
	}
	sl, ok := s.slots[req.SlotID]
	switch {
	case !ok:
		return nil, clientFault(soap.FaultSlotNotFound, "no such slot")
	case sl.live != nil && !s.cfg.Quirks.Has(missim.QuirkDoubleBook):
		return nil, clientFault(soap.FaultSlotTaken, "the slot is already booked")
	case s.requireReferral[sl.prac.post.Code]:
		return nil, clientFault(soap.FaultReferralRequired, "a referral is required for this post")
	case s.requireAttach[sl.prac.post.Code] && s.attached(patient) != sl.prac.fac:
		return nil, clientFault(soap.FaultNotAttached, "the patient is not attached to this organisation")
	}
	a := &appointment{id: fmt.Sprintf("B-%d", len(s.appts)+1), patient: patient, slot: sl, status: soap.StatusBooked, created: now, updated: now}
	s.appts = append(s.appts, a)
	sl.live = a
	return &soap.CreateAppointmentResponse{BookID: a.id}, nil
}

func (s *Server) cancelAppointment(req *soap.CancelAppointmentRequest) (any, *simFault) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var patient string
	if req.SessionID != "" {
		var fault *simFault
		if patient, fault = s.session(req.SessionID); fault != nil {
			return nil, fault
		}
	}
	a := s.appt(req.BookID)
	if a == nil || (req.SessionID != "" && patient != a.patient) {
		return nil, clientFault(soap.FaultAppointmentNotFound, "no such appointment")
	}
	if a.status == soap.StatusBooked {
		a.status, a.updated = soap.StatusCancelled, now
		if !s.cfg.Quirks.Has(missim.QuirkCancelKeepsSlot) {
			a.slot.live = nil
		}
	}
	return &soap.CancelAppointmentResponse{BookID: a.id, Status: a.status}, nil
}

func (s *Server) patientAppointments(req *soap.GetPatientAppointmentsRequest) (any, *simFault) {
	if req.SessionID == "" && req.BookID == "" {
		return nil, clientFault(soap.FaultInvalidRequest, "Session_ID or Book_Id is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var patient string
	if req.SessionID != "" {
		var fault *simFault
		if patient, fault = s.session(req.SessionID); fault != nil {
			return nil, fault
		}
	}
	resp := &soap.GetPatientAppointmentsResponse{}
	for _, a := range s.appts {
		if (req.SessionID == "" || a.patient == patient) && (req.BookID == "" || a.id == req.BookID) {
			resp.Appointments = append(resp.Appointments, soap.PatientAppointment{BookID: a.id, SlotID: a.slot.id, Status: a.status})
		}
	}
	return resp, nil
}

// appointmentsByPeriod lists every appointment whose visit starts within
// [From, To], with its patient and, when made elsewhere, its channel.
func (s *Server) appointmentsByPeriod(req *soap.GetAppointmentsByPeriodRequest) (any, *simFault) {
	from, err1 := time.Parse(time.RFC3339, req.From)
	to, err2 := time.Parse(time.RFC3339, req.To)
	if err1 != nil || err2 != nil || to.Before(from) {
		return nil, clientFault(soap.FaultInvalidRequest, "From and To must be xs:dateTime, From not after To")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := &soap.GetAppointmentsByPeriodResponse{}
	for _, a := range s.appts {
		if a.slot.start.Before(from) || a.slot.start.After(to) {
			continue
		}
		pa := soap.PeriodAppointment{BookID: a.id, SlotID: a.slot.id, Status: a.status, Channel: a.channel,
			VisitTime: a.slot.start.Format(time.RFC3339), VisitEndTime: a.slot.end.Format(time.RFC3339)}
		if v, ok := strings.CutPrefix(a.patient, "snils:"); ok {
			pa.PatientSNILS = v
		} else if v, ok := strings.CutPrefix(a.patient, "oms:"); ok {
			pa.PatientOMS = v
		}
		resp.Appointments = append(resp.Appointments, pa)
	}
	return resp, nil
}

// slotRead is the slot a read by Slot_Id answers with: the one after sl
// under missim.QuirkWrongSlotRead; the caller holds the lock.
func (s *Server) slotRead(sl *slot) *slot {
	if !s.cfg.Quirks.Has(missim.QuirkWrongSlotRead) {
		return sl
	}
	if i := slices.Index(s.order, sl); i >= 0 && i+1 < len(s.order) {
		return s.order[i+1]
	}
	return sl
}

// appt finds an appointment by Book_Id; the caller holds the lock.
func (s *Server) appt(id string) *appointment {
	var n int
	if _, err := fmt.Sscanf(id, "B-%d", &n); err != nil || n < 1 || n > len(s.appts) || s.appts[n-1].id != id {
		return nil
	}
	return s.appts[n-1]
}
