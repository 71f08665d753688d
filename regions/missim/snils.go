package missim

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// snilsChecksum computes the two check digits of a 9-digit SNILS number:
// the digits weighted 9..1, summed, taken modulo 101, with 100 written 00.
func snilsChecksum(digits string) int {
	sum := 0
	for i, r := range digits {
		sum += int(r-'0') * (9 - i)
	}
	sum %= 101
	if sum == 100 {
		return 0
	}
	return sum
}

// newSNILS returns a random valid SNILS as 11 digits. Numbers at or below
// 001-001-998 are not checksummed by the pension fund, so start above them.
func newSNILS(r *rand.Rand) string {
	n := 1001999 + r.IntN(998998000)
	body := fmt.Sprintf("%09d", n)
	return fmt.Sprintf("%s%02d", body, snilsChecksum(body))
}

// validSNILS accepts 11 digits, optionally written "XXX-XXX-XXX YY".
func validSNILS(s string) bool {
	s = strings.NewReplacer("-", "", " ", "").Replace(s)
	if len(s) != 11 || !isDigits(s) {
		return false
	}
	return fmt.Sprintf("%02d", snilsChecksum(s[:9])) == s[9:]
}

// validOMS accepts the 16-digit unified OMS policy number.
func validOMS(s string) bool { return len(s) == 16 && isDigits(s) }
