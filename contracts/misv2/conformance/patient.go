package conformance

import (
	"fmt"
	"math/rand/v2"

	"github.com/fedhealth/federation/contracts/misv2"
)

// syntheticPatient invents a patient with a valid SNILS and a 16-digit OMS
// policy number; it identifies nobody.
func syntheticPatient() []misv2.Identifier {
	body := fmt.Sprintf("%09d", 1001999+rand.IntN(998998000))
	oms := fmt.Sprintf("%016d", rand.Int64N(9e15)+1e15)
	return []misv2.Identifier{
		{System: misv2.SNILSSystem, Value: fmt.Sprintf("%s%02d", body, snilsChecksum(body))},
		{System: misv2.OMSSystem, Value: oms},
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
