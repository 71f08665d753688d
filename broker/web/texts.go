package web

import (
	"net/http"

	"golang.org/x/text/language"

	"github.com/fedhealth/federation/sagas"
)

// langCookie keeps the reader's choice of language; without it the
// browser's Accept-Language decides, and Russian when it names neither.
const langCookie = "lang"

var matcher = language.NewMatcher([]language.Tag{language.Russian, language.English})

// langOf is the reader's language: the cookie the switch link set, else
// Accept-Language (q-values honoured), else Russian.
func langOf(r *http.Request) sagas.Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		switch sagas.Lang(c.Value) {
		case sagas.LangRU, sagas.LangEN:
			return sagas.Lang(c.Value)
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, conf := matcher.Match(tags...)
	if conf <= language.Low { // the matcher's guess for a language we lack: not asked for
		i = 0
	}
	return sagas.Langs[i]
}

// tr is the text of key in lang; the key itself when it has none, which
// a test rules out for every key the templates use.
func tr(lang sagas.Lang, key string) string {
	t, ok := texts[key]
	if !ok {
		return key
	}
	if lang == sagas.LangEN {
		return t[1]
	}
	return t[0]
}

// texts are the pages' own words, [ru, en]; the statuses and reasons of
// bookings are sagas.Text's.
var texts = map[string][2]string{
	"site":                  {"Запись к врачу", "Doctor appointments"},
	"skip":                  {"Перейти к содержанию", "Skip to content"},
	"nav":                   {"Основное меню", "Main menu"},
	"nav.search":            {"Найти время", "Find a time"},
	"nav.mine":              {"Мои записи", "My appointments"},
	"nav.queue":             {"Очередь записей", "Booking queue"},
	"signout":               {"Выйти", "Sign out"},
	"switch.lang":           {"English", "Русский"},
	"switch.label":          {"Switch to English", "Переключить на русский"},
	"signin.title":          {"Вход", "Sign in"},
	"signin.demo":           {"Демонстрационный вход: введите тестовый идентификатор гражданина.", "Demo sign-in: enter a test citizen id."},
	"signin.citizen":        {"Идентификатор гражданина", "Citizen id"},
	"signin.submit":         {"Войти", "Sign in"},
	"signin.oidc":           {"Войти через портал госуслуг", "Sign in with the public services portal"},
	"signin.operator":       {"Вход регионального оператора", "Regional operator sign-in"},
	"signin.opid":           {"Идентификатор оператора", "Operator id"},
	"signin.region":         {"Регион", "Region"},
	"signin.hint":           {"Буквы, цифры, «.», «_» или «-», до 64 символов.", "Letters, digits, '.', '_' or '-', up to 64 characters."},
	"search.title":          {"Найти свободное время", "Find a free time"},
	"search.region":         {"Регион", "Region"},
	"search.spec":           {"Специальность", "Specialty"},
	"search.anyspec":        {"Любая", "Any"},
	"search.fac":            {"Медицинская организация (идентификатор)", "Facility (id)"},
	"search.prac":           {"Врач (идентификатор)", "Practitioner (id)"},
	"search.from":           {"С даты", "From"},
	"search.to":             {"По дату", "To"},
	"search.submit":         {"Искать", "Search"},
	"search.none":           {"В эти дни свободного времени нет. Попробуйте другие даты или другую организацию.", "No free times on these days. Try other dates or another facility."},
	"search.results":        {"Свободное время", "Free times"},
	"search.book":           {"Записаться", "Book"},
	"search.move":           {"Перенести сюда", "Move here"},
	"search.moving":         {"Выберите новое время для записи. Старая запись остаётся, пока новая не подтверждена.", "Choose the new time. The old booking stands until the new one is confirmed."},
	"search.optional":       {"Необязательно", "Optional"},
	"region.available":      {"работает", "available"},
	"region.degraded":       {"работает с перебоями: запись может занять больше времени", "degraded: booking may take longer"},
	"region.unavailable":    {"временно недоступна: запишитесь позже или позвоните в регистратуру", "unavailable right now: book later or call the clinic's reception"},
	"region.feed":           {"запись подтверждает оператор клиники", "confirmed by the clinic's operator"},
	"region.feedwithin":     {"ответ в течение", "answer within"},
	"region.feedunknown":    {"расписание клиники сейчас не обновляется: свободное время неизвестно", "the clinic's timetable is not updating now: free times are unknown"},
	"region.status":         {"Состояние регионов", "Regions' status"},
	"hours":                 {"ч", "h"},
	"booking.title":         {"Запись", "Booking"},
	"booking.status":        {"Состояние", "Status"},
	"booking.when":          {"Время", "Time"},
	"booking.who":           {"Врач", "Practitioner"},
	"booking.where":         {"Где", "Where"},
	"booking.spec":          {"Специальность", "Specialty"},
	"booking.reason":        {"Причина", "Reason"},
	"booking.timeline":      {"История изменений", "Timeline"},
	"booking.refresh":       {"Обновить", "Refresh"},
	"booking.waiting":       {"Ждём ответа клиники; страница обновится сама.", "Waiting for the clinic; this page updates itself."},
	"booking.cancel":        {"Отменить запись", "Cancel the booking"},
	"booking.reschedule":    {"Перенести", "Reschedule"},
	"booking.by":            {"Отменил", "Cancelled by"},
	"booking.source":        {"Откуда", "From"},
	"booking.movingto":      {"Переносится на", "Moving to"},
	"booking.open":          {"Подробнее", "Details"},
	"mine.title":            {"Мои записи", "My appointments"},
	"mine.upcoming":         {"Предстоящие", "Upcoming"},
	"mine.past":             {"Прошедшие и завершённые", "Past and closed"},
	"mine.none":             {"Записей пока нет.", "No bookings yet."},
	"status.pending":        {"ожидает подтверждения", "pending"},
	"status.confirmed":      {"подтверждена", "confirmed"},
	"status.rejected":       {"отклонена", "rejected"},
	"status.failed":         {"не удалась", "failed"},
	"status.cancelling":     {"отменяется", "cancelling"},
	"status.cancelled":      {"отменена", "cancelled"},
	"status.visited":        {"приём состоялся", "visited"},
	"status.no_show":        {"неявка", "no-show"},
	"status.rescheduling":   {"переносится", "rescheduling"},
	"source.portal":         {"портал", "portal"},
	"source.clinic":         {"клиника", "clinic"},
	"source.operator":       {"оператор клиники", "clinic's operator"},
	"source.reconciliation": {"сверка с клиникой", "reconciliation with the clinic"},
	"by.citizen":            {"вы", "you"},
	"by.clinic":             {"клиника", "the clinic"},
	"by.operator":           {"оператор клиники", "the clinic's operator"},
	"queue.title":           {"Очередь записей региона", "The region's booking queue"},
	"queue.none":            {"Очередь пуста.", "The queue is empty."},
	"queue.deadline":        {"Ответить до", "Answer by"},
	"queue.confirm":         {"Подтвердить", "Confirm"},
	"queue.appt":            {"Номер записи в МИС клиники", "The clinic MIS's appointment number"},
	"queue.decline":         {"Отклонить", "Decline"},
	"queue.code":            {"Причина отказа", "Reason"},
	"queue.note":            {"Комментарий для гражданина", "Note for the citizen"},
	"queue.patient":         {"Показать данные пациента", "Show the patient's identifiers"},
	"queue.patientnote":     {"Каждый просмотр записывается в журнал доступа.", "Every view is recorded in the access log."},
	"queue.cancellation":    {"Гражданин отменил запись: отмените её в клинике", "The citizen cancelled: cancel it at the clinic"},
	"queue.ack":             {"Отменено в клинике", "Cancelled at the clinic"},
	"queue.done":            {"Готово.", "Done."},
	"patient.title":         {"Данные пациента", "The patient's identifiers"},
	"patient.snils":         {"СНИЛС", "SNILS"},
	"patient.oms":           {"Полис ОМС", "OMS policy"},
	"patient.birth":         {"Дата рождения", "Birth date"},
	"patient.back":          {"Вернуться к очереди", "Back to the queue"},
	"error.title":           {"Не получилось", "Something went wrong"},
	"error.back":            {"На главную", "To the start page"},
	"error.ref":             {"Номер обращения", "Reference"},
	"err.invalid":           {"Проверьте введённые данные", "Please check what you entered"},
	"err.signin":            {"Войдите, чтобы продолжить.", "Please sign in to continue."},
	"err.role":              {"Эта страница не для вашей роли.", "This page is not for your role."},
	"err.notfound":          {"Такой страницы или записи нет.", "There is no such page or booking."},
	"err.taken":             {"Это время уже занято. Выберите другое.", "This time is already taken. Please choose another."},
	"err.slotunknown":       {"Клиника больше не предлагает это время. Выполните поиск снова.", "The clinic no longer offers this time. Please search again."},
	"err.overlaps":          {"У вас уже есть запись на это время. Отмените её или выберите другое время.", "You already have a booking at this time. Cancel it or choose another time."},
	"err.toomany":           {"У вас максимальное число активных записей. Отмените одну из них.", "You hold the most active bookings one citizen may. Cancel one first."},
	"err.notcancellable":    {"Эту запись сейчас нельзя отменить.", "This booking cannot be cancelled now."},
	"err.notreschedulable":  {"Эту запись сейчас нельзя перенести: переносится только подтверждённая запись, по одному переносу за раз.", "This booking cannot be moved now: only a confirmed booking moves, one move at a time."},
	"err.otherregion":       {"Запись переносится только в пределах своего региона.", "A booking moves only within its region."},
	"err.byoperators":       {"Записи этого региона не переносятся на портале: запишитесь на новое время и отмените эту запись, или позвоните в клинику.", "This region's bookings are not moved on the portal: book the new time and cancel this one, or call the clinic."},
	"err.deadline":          {"Срок ответа по записи истёк.", "The booking's deadline has passed."},
	"err.erased":            {"Запись больше не ждёт оператора: данные пациента удалены.", "The booking no longer awaits the operator: the patient's identifiers are erased."},
	"err.region":            {"Медицинская система региона сейчас недоступна. Ничего не записано; попробуйте позже или позвоните в регистратуру.", "The region's medical information system is unavailable now. Nothing was booked; try later or call the clinic's reception."},
	"err.busy":              {"Медицинская система региона перегружена. Ничего не записано; попробуйте через несколько минут.", "The region's medical information system is overloaded. Nothing was booked; try again in a few minutes."},
	"err.store":             {"Сервис сейчас не может сохранить запрос. Ничего не записано; попробуйте немного позже.", "The service cannot save requests right now. Nothing was recorded; please try again shortly."},
	"err.csrf":              {"Форма устарела или отправлена с другого сайта. Откройте страницу снова и повторите.", "The form is stale or was sent from another site. Open the page again and retry."},
	"err.internal":          {"Внутренняя ошибка. Мы уже знаем о ней; попробуйте позже.", "An internal error. We have been told; please try later."},
	"err.conflict":          {"Действие не выполнено: запись уже изменилась. Обновите страницу.", "Not done: the booking has changed meanwhile. Refresh the page."},
	"err.unsupported":       {"Это действие здесь не поддерживается.", "This action is not supported here."},
}
