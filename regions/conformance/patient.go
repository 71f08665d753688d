package conformance

import (
	"fmt"
	"math/rand/v2"

	"github.com/fedhealth/federation/contracts"
)

// syntheticPatient invents a patient with a valid SNILS, a 16-digit OMS
// policy and a birth date; it identifies nobody. A fresh one per suite
// keeps two runs against one MIS from sharing appointments.
func syntheticPatient() contracts.Patient {
	body := fmt.Sprintf("%09d", 1001999+rand.IntN(998998000))
	return contracts.Patient{
		SNILS:     fmt.Sprintf("%s%02d", body, snilsChecksum(body)),
		OMS:       fmt.Sprintf("%016d", rand.Int64N(9e15)+1e15),
		BirthDate: "1985-03-14",
	}
}

// snilsChecksum is the SNILS check number: digits weighted 9..1, summed,
// modulo 101, with 100 written as 00.
func snilsChecksum(digits string) int {
	sum := 0
	for i, r := range digits {
		sum += int(r-'0') * (9 - i)
	}
	if sum %= 101; sum == 100 {
		return 0
	}
	return sum
}
