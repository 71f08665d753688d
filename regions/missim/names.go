package missim

import (
	"math/rand/v2"

	"github.com/fedhealth/federation/contracts/misv2"
)

// specialty is one entry of the seeded specialty directory (see
// specialties).
type specialty = misv2.Specialty

// Codes of misv2.SpecialtySystem that every seeded region has (the first
// eight of specialties are laid out in every default region), named so
// tests and demos need not spell the directory's numbers.
const (
	SpecialtyTherapy       = "27"  // Терапия: the first doctor of every polyclinic
	SpecialtyPediatrics    = "22"  // Педиатрия
	SpecialtyCardiology    = "118" // Кардиология
	SpecialtyNeurology     = "14"  // Неврология
	SpecialtyOphthalmology = "20"  // Офтальмология
	SpecialtySurgery       = "30"  // Хирургия
	SpecialtyDentistry     = "171" // Стоматология общей практики
)

// specialties seeds the doctors, in this order: the directory's list
// (misv2.Specialties), therapy first because every polyclinic has a
// therapist; the next seven keep the places of version 1's specialties,
// so a region's layout did not move.
var specialties = misv2.Specialties

// Surnames are given in the male form; female forms add "а".
var surnames = []string{
	"Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев",
	"Козлов", "Новиков", "Морозов", "Волков", "Соловьёв", "Васильев", "Зайцев",
	"Павлов", "Семёнов", "Голубев", "Виноградов", "Богданов", "Воробьёв",
	"Фёдоров", "Михайлов", "Беляев", "Тарасов", "Белов", "Комаров", "Орлов",
	"Киселёв", "Макаров", "Андреев", "Ковалёв", "Ильин", "Гусев", "Титов",
}

var maleNames = []string{
	"Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём",
	"Илья", "Кирилл", "Михаил", "Никита", "Матвей", "Роман", "Егор", "Олег",
}

var femaleNames = []string{
	"Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина",
	"Екатерина", "Светлана", "Юлия", "Анастасия", "Марина", "Галина", "Людмила",
}

// Fathers' names as patronymic stems: stem+"ович"/"овна".
var patronymicStems = []string{
	"Александр", "Дмитрие", "Сергее", "Андрее", "Алексее", "Михайл", "Иван",
	"Петр", "Николае", "Владимир", "Виктор", "Юрье", "Павл", "Олег",
}

var streets = []string{
	"ул. Ленина", "ул. Гагарина", "ул. Мира", "пр. Победы", "ул. Советская",
	"ул. Садовая", "ул. Школьная", "ул. Молодёжная", "ул. Пушкина",
	"Комсомольский пр.", "ул. Чехова", "ул. Лесная", "ул. Строителей",
}

var regionCities = map[string]string{
	"77": "Москва", "78": "Санкт-Петербург", "16": "Казань", "50": "Балашиха",
	"54": "Новосибирск", "66": "Екатеринбург", "25": "Владивосток",
	"23": "Краснодар", "52": "Нижний Новгород", "63": "Самара", "2": "Уфа",
	"02": "Уфа", "24": "Красноярск", "74": "Челябинск", "39": "Калининград",
}

func cityOf(region string) string {
	if c, ok := regionCities[region]; ok {
		return c
	}
	return "Город"
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// personName returns "Фамилия Имя Отчество".
func personName(r *rand.Rand) string {
	surname, stem := pick(r, surnames), pick(r, patronymicStems)
	if r.IntN(2) == 0 {
		return surname + " " + pick(r, maleNames) + " " + patronymic(stem, "ич")
	}
	return surname + "а " + pick(r, femaleNames) + " " + patronymic(stem, "на")
}

// patronymic forms "Сергеевич"/"Сергеевна" from "Сергее" and the ending;
// stems already ending in "е" take "вич", others "ович".
func patronymic(stem, end string) string {
	if last := []rune(stem); last[len(last)-1] == 'е' {
		return stem + "в" + end
	}
	return stem + "ов" + end
}
