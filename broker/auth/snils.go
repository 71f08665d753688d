package auth

import (
	"errors"
	"strconv"
	"strings"
)

// snilsChecksumFloor is the largest SNILS number (without its checksum) that
// the Pension Fund issued before checksums existed: the checksum is checked
// only for numbers above 001-001-998.
const snilsChecksumFloor = 1001998

var (
	errSNILSFormat   = errors.New("SNILS must be 11 digits")
	errSNILSChecksum = errors.New("SNILS checksum does not match")
	errSNILSZero     = errors.New("SNILS number is all zeros")
)

// NormalizeSNILS returns the 11 digits of a SNILS written either plainly
// ("11223344595") or in the usual form ("112-233-445 95"), after checking
// its checksum. The error never quotes the number, so it is safe to log.
func NormalizeSNILS(s string) (string, error) {
	digits, ok := stripSNILSFormatting(s)
	if !ok {
		return "", errSNILSFormat
	}
	number, _ := strconv.Atoi(digits[:9])
	if number == 0 {
		return "", errSNILSZero
	}
	if number <= snilsChecksumFloor {
		return digits, nil
	}
	if digits[9:] != SNILSChecksum(digits[:9]) {
		return "", errSNILSChecksum
	}
	return digits, nil
}

// SNILSChecksum returns the two check digits for the first nine digits of a
// SNILS: the sum of the digits weighted 9 down to 1, taken as is below 100,
// "00" for 100 and 101, and modulo 101 above that (where 100 again gives
// "00"). It panics if number is not nine ASCII digits; callers validate first.
func SNILSChecksum(number string) string {
	if len(number) != 9 || !allDigits(number) {
		panic("auth: SNILSChecksum needs nine digits")
	}
	sum := 0
	for i := range 9 {
		sum += int(number[i]-'0') * (9 - i)
	}
	if sum > 101 {
		sum %= 101
	}
	if sum >= 100 {
		sum = 0
	}
	return strconv.Itoa(sum/10) + strconv.Itoa(sum%10)
}

// stripSNILSFormatting accepts "DDDDDDDDDDD" and "DDD-DDD-DDD DD" (also with
// a hyphen before the check digits) and returns the bare digits.
func stripSNILSFormatting(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 14 && s[3] == '-' && s[7] == '-' && (s[11] == ' ' || s[11] == '-') {
		s = s[0:3] + s[4:7] + s[8:11] + s[12:14]
	}
	return s, len(s) == 11 && allDigits(s)
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
