// Package subjects is the reference list of the country's federal
// subjects as the federal portal's regional integrations know them: the
// two-digit region code (the constitutional numbering also used in the
// portal's region registry), the name, and the IANA time zone of the
// subject's administrative centre (a subject spanning several zones, such
// as Yakutia, is listed at its capital's). It is reference data only: the
// broker's registry is its configuration, and this list serves tools
// that need a region's zone from its code (the conformance kit's
// --region, the simulator fleet).
package subjects

import (
	"slices"
	"strings"
)

// Subject is one federal subject.
type Subject struct {
	Code, Name, TimeZone string
}

// All lists the 85 subjects in code order.
var All = []Subject{
	{"01", "Republic of Adygea", "Europe/Moscow"},
	{"02", "Republic of Bashkortostan", "Asia/Yekaterinburg"},
	{"03", "Republic of Buryatia", "Asia/Irkutsk"},
	{"04", "Altai Republic", "Asia/Barnaul"},
	{"05", "Republic of Dagestan", "Europe/Moscow"},
	{"06", "Republic of Ingushetia", "Europe/Moscow"},
	{"07", "Kabardino-Balkarian Republic", "Europe/Moscow"},
	{"08", "Republic of Kalmykia", "Europe/Moscow"},
	{"09", "Karachay-Cherkess Republic", "Europe/Moscow"},
	{"10", "Republic of Karelia", "Europe/Moscow"},
	{"11", "Komi Republic", "Europe/Moscow"},
	{"12", "Mari El Republic", "Europe/Moscow"},
	{"13", "Republic of Mordovia", "Europe/Moscow"},
	{"14", "Republic of Sakha (Yakutia)", "Asia/Yakutsk"},
	{"15", "Republic of North Ossetia-Alania", "Europe/Moscow"},
	{"16", "Republic of Tatarstan", "Europe/Moscow"},
	{"17", "Tuva Republic", "Asia/Krasnoyarsk"},
	{"18", "Udmurt Republic", "Europe/Samara"},
	{"19", "Republic of Khakassia", "Asia/Krasnoyarsk"},
	{"20", "Chechen Republic", "Europe/Moscow"},
	{"21", "Chuvash Republic", "Europe/Moscow"},
	{"22", "Altai Krai", "Asia/Barnaul"},
	{"23", "Krasnodar Krai", "Europe/Moscow"},
	{"24", "Krasnoyarsk Krai", "Asia/Krasnoyarsk"},
	{"25", "Primorsky Krai", "Asia/Vladivostok"},
	{"26", "Stavropol Krai", "Europe/Moscow"},
	{"27", "Khabarovsk Krai", "Asia/Vladivostok"},
	{"28", "Amur Oblast", "Asia/Yakutsk"},
	{"29", "Arkhangelsk Oblast", "Europe/Moscow"},
	{"30", "Astrakhan Oblast", "Europe/Astrakhan"},
	{"31", "Belgorod Oblast", "Europe/Moscow"},
	{"32", "Bryansk Oblast", "Europe/Moscow"},
	{"33", "Vladimir Oblast", "Europe/Moscow"},
	{"34", "Volgograd Oblast", "Europe/Volgograd"},
	{"35", "Vologda Oblast", "Europe/Moscow"},
	{"36", "Voronezh Oblast", "Europe/Moscow"},
	{"37", "Ivanovo Oblast", "Europe/Moscow"},
	{"38", "Irkutsk Oblast", "Asia/Irkutsk"},
	{"39", "Kaliningrad Oblast", "Europe/Kaliningrad"},
	{"40", "Kaluga Oblast", "Europe/Moscow"},
	{"41", "Kamchatka Krai", "Asia/Kamchatka"},
	{"42", "Kemerovo Oblast - Kuzbass", "Asia/Novokuznetsk"},
	{"43", "Kirov Oblast", "Europe/Kirov"},
	{"44", "Kostroma Oblast", "Europe/Moscow"},
	{"45", "Kurgan Oblast", "Asia/Yekaterinburg"},
	{"46", "Kursk Oblast", "Europe/Moscow"},
	{"47", "Leningrad Oblast", "Europe/Moscow"},
	{"48", "Lipetsk Oblast", "Europe/Moscow"},
	{"49", "Magadan Oblast", "Asia/Magadan"},
	{"50", "Moscow Oblast", "Europe/Moscow"},
	{"51", "Murmansk Oblast", "Europe/Moscow"},
	{"52", "Nizhny Novgorod Oblast", "Europe/Moscow"},
	{"53", "Novgorod Oblast", "Europe/Moscow"},
	{"54", "Novosibirsk Oblast", "Asia/Novosibirsk"},
	{"55", "Omsk Oblast", "Asia/Omsk"},
	{"56", "Orenburg Oblast", "Asia/Yekaterinburg"},
	{"57", "Oryol Oblast", "Europe/Moscow"},
	{"58", "Penza Oblast", "Europe/Moscow"},
	{"59", "Perm Krai", "Asia/Yekaterinburg"},
	{"60", "Pskov Oblast", "Europe/Moscow"},
	{"61", "Rostov Oblast", "Europe/Moscow"},
	{"62", "Ryazan Oblast", "Europe/Moscow"},
	{"63", "Samara Oblast", "Europe/Samara"},
	{"64", "Saratov Oblast", "Europe/Saratov"},
	{"65", "Sakhalin Oblast", "Asia/Sakhalin"},
	{"66", "Sverdlovsk Oblast", "Asia/Yekaterinburg"},
	{"67", "Smolensk Oblast", "Europe/Moscow"},
	{"68", "Tambov Oblast", "Europe/Moscow"},
	{"69", "Tver Oblast", "Europe/Moscow"},
	{"70", "Tomsk Oblast", "Asia/Tomsk"},
	{"71", "Tula Oblast", "Europe/Moscow"},
	{"72", "Tyumen Oblast", "Asia/Yekaterinburg"},
	{"73", "Ulyanovsk Oblast", "Europe/Ulyanovsk"},
	{"74", "Chelyabinsk Oblast", "Asia/Yekaterinburg"},
	{"75", "Zabaykalsky Krai", "Asia/Chita"},
	{"76", "Yaroslavl Oblast", "Europe/Moscow"},
	{"77", "Moscow", "Europe/Moscow"},
	{"78", "Saint Petersburg", "Europe/Moscow"},
	{"79", "Jewish Autonomous Oblast", "Asia/Vladivostok"},
	{"82", "Republic of Crimea", "Europe/Simferopol"},
	{"83", "Nenets Autonomous Okrug", "Europe/Moscow"},
	{"86", "Khanty-Mansi Autonomous Okrug - Yugra", "Asia/Yekaterinburg"},
	{"87", "Chukotka Autonomous Okrug", "Asia/Anadyr"},
	{"89", "Yamalo-Nenets Autonomous Okrug", "Asia/Yekaterinburg"},
	{"92", "Sevastopol", "Europe/Simferopol"},
}

// Lookup returns the subject of code and whether there is one.
func Lookup(code string) (Subject, bool) {
	i, found := slices.BinarySearchFunc(All, code, func(s Subject, c string) int { return strings.Compare(s.Code, c) })
	if !found {
		return Subject{}, false
	}
	return All[i], true
}
