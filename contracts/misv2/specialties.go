package misv2

// Specialty is one entry of the federal directory of medical specialties
// (SpecialtySystem): its code and its name.
type Specialty struct {
	Code, Display string
}

// Specialties are real entries of NSI 1.2.643.5.1.13.13.11.1066, whose
// codes number the nomenclature of specialties of Minzdravsotsrazvitiya
// order 210n hierarchically (the same numbering as the FFOMS classifier
// V015): 27 Терапия, 22 Педиатрия, 171-177 the dental specialties, 1xx the
// subspecialties of the therapy and surgery groups. The codes were checked
// against published EGISZ integrations (N3.Health PractitionerRole
// samples coding 1066 with 27, dental SEMD generators coding 171-177) and a
// V015-to-V021 mapping table that names each code; before a vendor relies
// on one, check it at
// https://nsi.rosminzdrav.ru/dictionaries/1.2.643.5.1.13.13.11.1066.
// The reference simulator seeds its doctors from this list in this order
// (regions/missim): therapy first, since every polyclinic has a therapist.
var Specialties = []Specialty{
	{"27", "Терапия"},
	{"22", "Педиатрия"},
	{"118", "Кардиология"},
	{"14", "Неврология"},
	{"20", "Офтальмология"},
	{"19", "Оториноларингология"},
	{"30", "Хирургия"},
	{"171", "Стоматология общей практики"},
	{"16", "Общая врачебная практика (семейная медицина)"},
	{"8", "Акушерство и гинекология"},
	{"150", "Эндокринология"},
	{"10", "Дерматовенерология"},
	{"145", "Урология"},
	{"28", "Травматология и ортопедия"},
	{"17", "Онкология"},
	{"125", "Пульмонология"},
	{"126", "Ревматология"},
	{"123", "Нефрология"},
	{"32", "Инфекционные болезни"},
	{"23", "Психиатрия"},
	{"116", "Гериатрия"},
	{"139", "Колопроктология"},
	{"11", "Детская хирургия"},
	{"81", "Детская кардиология"},
	{"83", "Детская эндокринология"},
	{"174", "Стоматология детская"},
	{"176", "Стоматология терапевтическая"},
	{"177", "Стоматология хирургическая"},
	{"173", "Ортодонтия"},
}

// SpecialtyName is the directory's name of code, "" for a code this list
// does not hold. A clinic's change that names a specialty by its code
// alone (a status callback) is shown with it.
func SpecialtyName(code string) string {
	for _, s := range Specialties {
		if s.Code == code {
			return s.Display
		}
	}
	return ""
}
