package sagas

import "strings"

// Lang is a language the citizen reads texts in.
type Lang string

// The languages every text has. Russian is the default.
const (
	LangRU Lang = "ru"
	LangEN Lang = "en"
)

// Langs lists the languages every code has a text in, the default first.
var Langs = []Lang{LangRU, LangEN}

// Codes of citizen-facing texts: the reasons (Booking.ReasonCode) and the
// timeline details (TimelineEntry.Code). Stored in rows and shown in the
// API: add codes, never rename one. Clinic cancellations are
// CodeCancelledByClinic + "_" + the clinic's reason (ClinicCancelCode).
const (
	CodeSlotTaken        = "slot_taken"
	CodeHoldExpired      = "hold_expired"
	CodeNotAttached      = "not_attached"
	CodeReferralRequired = "referral_required"
	CodeSlotUnknown      = "slot_unknown"
	CodeRegionBusy       = "region_busy"
	CodeDeadline         = "deadline"
	CodeCancelRefused    = "cancel_refused"
	CodeMISRejected      = "mis_rejected"
	CodeAbandoned        = "abandoned"
	CodeClinicNoAnswer   = "clinic_no_answer"
	// CodeCancelledByClinic prefixes the clinic's cancellation reasons.
	CodeCancelledByClinic = "cancelled_by_clinic"

	CodeRequested               = "requested"
	CodeHeld                    = "held"
	CodeConfirmed               = "confirmed"
	CodeReleaseLate             = "release_late"
	CodeNothingLeft             = "nothing_left"
	CodeHoldReleased            = "hold_released"
	CodeCancelRequested         = "cancel_requested"
	CodeCancelledAtClinic       = "cancelled_at_clinic"
	CodeAwaitingClinic          = "awaiting_clinic"
	CodeOperatorCancelRequested = "operator_cancel_requested"
	CodeWithdrawn               = "withdrawn"
	CodeClinicNote              = "clinic_note"
	CodeMovedByClinic           = "moved_by_clinic"
	CodeVisited                 = "visited"
	CodeNoShow                  = "no_show"
	CodeBookedElsewhere         = "booked_elsewhere"
	CodeClinicSuperseded        = "clinic_event_superseded"
	CodeClinicIgnored           = "clinic_event_ignored"
	// The reschedule saga's details (docs/history.md, "Reschedule").
	CodeRescheduleRequested = "reschedule_requested"
	CodeRescheduleHeld      = "reschedule_held"
	CodeRescheduleBooked    = "reschedule_booked"
	CodeRescheduled         = "rescheduled"
	CodeRescheduleNotDone   = "reschedule_not_done"
)

// Timeline details of the reschedule saga, as the rows keep them.
const (
	DetailRescheduleRequested = "Reschedule requested; asking the clinic for the new time."
	DetailRescheduleHeld      = "The clinic is holding the new time; confirming it."
	DetailRescheduleBooked    = "The clinic booked the new time; cancelling the old appointment."
	DetailRescheduled         = "Moved to the new time at your request."
	DetailRescheduleNotDone   = "The booking was not moved; it stands at its previous time."
)

// texts holds every code's sentence in each language: [ru, en]. The
// English sentence is also what the detail and reason columns keep, so
// rows written before codes existed map back to their code (CodeOf).
var texts = map[string][2]string{
	CodeSlotTaken:        {"Этот слот уже занят. Пожалуйста, выберите другое время.", ReasonSlotTaken},
	CodeHoldExpired:      {"Резерв слота в клинике истёк до завершения записи. Пожалуйста, выберите слот снова.", ReasonHoldExpired},
	CodeNotAttached:      {"Вы не прикреплены к этой поликлинике. Запишитесь в поликлинику прикрепления или подайте заявление о прикреплении.", ReasonNotAttached},
	CodeReferralRequired: {"Этот специалист принимает только по направлению лечащего врача.", ReasonReferralRequired},
	CodeSlotUnknown:      {"Клиника больше не предлагает этот слот. Пожалуйста, выберите другое время.", ReasonSlotUnknown},
	CodeRegionBusy:       {"Медицинская информационная система региона перегружена и не успевает подтвердить запись. Ничего не записано; попробуйте через несколько минут.", ReasonRegionBusy},
	CodeDeadline:         {"Медицинская информационная система региона не ответила вовремя. Ничего не записано; попробуйте позже.", ReasonDeadline},
	CodeCancelRefused:    {"Клиника не приняла отмену; запись сохраняется.", ReasonCancelRefused},
	CodeMISRejected:      {"Система клиники отклонила запрос. Выберите другой слот или обратитесь в клинику.", ReasonMISRejected},
	CodeAbandoned:        {"Запись не удалось завершить, и сервис её остановил. Ничего не записано; попробуйте снова.", ReasonAbandoned},
	CodeClinicNoAnswer:   {"Клиника не подтвердила запись вовремя. Ничего не записано; выберите другой слот.", ReasonClinicNoAnswer},

	"declined_" + string(DeclineSlotUnavailable):    {"Клиника больше не может предложить этот слот. Ничего не записано; выберите другое время.", "The clinic can no longer offer this slot. Nothing was booked; please choose another time."},
	"declined_" + string(DeclinePractitionerAbsent): {"Врач не может принять в это время. Ничего не записано; выберите другое время или врача.", "The doctor cannot see patients at that time. Nothing was booked; please choose another time or doctor."},
	"declined_" + string(DeclineNotEligible):        {"Клиника не может принять эту запись для вас (прикрепление, направление или возраст). Ничего не записано; обратитесь в клинику.", "The clinic cannot accept this booking for you (attachment, referral or age). Nothing was booked; please contact the clinic."},
	"declined_" + string(DeclineDuplicate):          {"У клиники уже есть ваша запись по этому поводу. Новой записи не создано.", "The clinic already has an appointment for you for this. Nothing new was booked."},
	"declined_" + string(DeclineOther):              {"Клиника отклонила запись. Ничего не записано; выберите другой слот или обратитесь в клинику.", "The clinic declined the booking. Nothing was booked; please choose another slot or contact the clinic."},

	CodeCancelledByClinic + "_practitioner_unavailable": {"Клиника отменила приём: врач не сможет принять.", "The clinic cancelled the appointment: the doctor is unavailable."},
	CodeCancelledByClinic + "_clinic_closed":            {"Клиника отменила приём: клиника закрыта.", "The clinic cancelled the appointment: the clinic is closed."},
	CodeCancelledByClinic + "_patient_request_by_phone": {"Клиника отменила приём по вашей просьбе по телефону.", "The clinic cancelled the appointment at your request by phone."},
	CodeCancelledByClinic + "_other":                    {"Клиника отменила приём.", "The clinic cancelled the appointment."},

	CodeRequested:               {"Запрос получен; передаём его в клинику.", "Request received; sending it to the clinic."},
	CodeHeld:                    {"Клиника удерживает слот; подтверждаем запись.", "The clinic is holding the slot; confirming the booking."},
	CodeConfirmed:               {"Подтверждено клиникой.", "Confirmed by the clinic."},
	CodeReleaseLate:             {"Клиника ответила с опозданием; освобождаем то, что она сохранила для этой записи.", "The clinic answered late; releasing what it kept for this booking."},
	CodeNothingLeft:             {"В клинике ничего не осталось.", "Nothing was left at the clinic."},
	CodeHoldReleased:            {"Резерв слота в клинике снят.", "The clinic's hold on the slot was released."},
	CodeCancelRequested:         {"Запрошена отмена; сообщаем клинике.", "Cancellation requested; informing the clinic."},
	CodeCancelledAtClinic:       {"Отменено в клинике.", "Cancelled at the clinic."},
	CodeAwaitingClinic:          {"Ожидает подтверждения клиникой.", DetailAwaitingClinic},
	CodeOperatorCancelRequested: {"Запрошена отмена; клинике сообщают.", DetailCancelRequested},
	CodeWithdrawn:               {"Отменено вами до подтверждения клиникой; ничего не было записано.", DetailWithdrawn},
	CodeClinicNote:              {"Примечание клиники: ", DetailClinicNote},
	CodeMovedByClinic:           {"Клиника перенесла приём на другое время.", "The clinic moved the appointment to another time."},
	CodeVisited:                 {"Приём состоялся.", "The visit took place."},
	CodeNoShow:                  {"Клиника отметила неявку на приём.", "The clinic recorded that the patient did not come."},
	CodeBookedElsewhere:         {"Запись сделана через другой канал и получена от клиники.", "Booked through another channel; reported by the clinic."},
	CodeClinicSuperseded:        {"Клиника сообщила о более раннем изменении; более новое уже учтено, поэтому оно не применено.", "The clinic reported an older change; a newer one is already recorded, so it was not applied."},
	CodeClinicIgnored:           {"Клиника сообщила об изменении завершённой записи; оно не применено.", "The clinic reported a change to a booking already ended; it was not applied."},
	CodeRescheduleRequested:     {"Запрошен перенос; запрашиваем у клиники новое время.", DetailRescheduleRequested},
	CodeRescheduleHeld:          {"Клиника удерживает новое время; подтверждаем его.", DetailRescheduleHeld},
	CodeRescheduleBooked:        {"Клиника записала на новое время; отменяем прежний приём.", DetailRescheduleBooked},
	CodeRescheduled:             {"Перенесено на новое время по вашей просьбе.", DetailRescheduled},
	CodeRescheduleNotDone:       {"Запись не перенесена; она остаётся на прежнее время.", DetailRescheduleNotDone},
}

// byEnglish maps each English sentence back to its code.
var byEnglish = func() map[string]string {
	m := make(map[string]string, len(texts))
	for code, t := range texts {
		m[t[1]] = code
	}
	return m
}()

// Text is code's sentence in lang (Russian for any language but English);
// "" for an unknown code.
func Text(code string, lang Lang) string {
	t, ok := texts[code]
	if !ok {
		return ""
	}
	if lang == LangEN {
		return t[1]
	}
	return t[0]
}

// Codes lists every text code.
func Codes() []string {
	out := make([]string, 0, len(texts))
	for c := range texts {
		out = append(out, c)
	}
	return out
}

// CodeOf maps an English sentence (a reason or a detail as rows keep it)
// to its code, and splits a clinic's note from its prefix: the read-time
// mapping of rows written before codes were stored. "" when the sentence
// is not one of ours.
func CodeOf(english string) (code, note string) {
	if c, ok := byEnglish[english]; ok {
		return c, ""
	}
	if n, ok := strings.CutPrefix(english, DetailClinicNote); ok {
		return CodeClinicNote, n
	}
	return "", ""
}

// ClinicCancelCode is the reason code of a clinic's cancellation for the
// clinic's reason (one of contracts.ClinicCancelReasons).
func ClinicCancelCode(reason string) string { return CodeCancelledByClinic + "_" + reason }
