package web

// clinicTexts are the words of the operator page's part for confirmed
// bookings (clinicstatus.go), [ru, en].
var clinicTexts = map[string][2]string{
	"clinic.title":   {"Подтверждённые записи: что сделала клиника", "Confirmed bookings: what the clinic did"},
	"clinic.none":    {"Подтверждённых записей нет.", "No confirmed bookings."},
	"clinic.appt":    {"Номер записи в МИС клиники", "The clinic MIS's appointment number"},
	"clinic.visited": {"Приём состоялся", "The visit took place"},
	"clinic.noshow":  {"Пациент не пришёл", "The patient did not come"},
	"clinic.notyet":  {"Явку или неявку можно отметить после начала приёма.", "A visit or a no-show can be recorded once the appointment has started."},
	"clinic.newtime": {"Новое время (время региона)", "New time (the region's time)"},
	"clinic.move":    {"Перенести приём", "Move the appointment"},
	"clinic.reason":  {"Причина отмены клиникой", "The clinic's reason"},
	"clinic.cancel":  {"Клиника отменила приём", "The clinic cancelled it"},
	"clinic.note":    {"Комментарий для гражданина (необязательно)", "Note for the citizen (optional)"},
}

func init() {
	for k, v := range clinicTexts {
		texts[k] = v
	}
}
