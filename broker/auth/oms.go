package auth

import (
	"errors"
	"strings"
)

var errOMSFormat = errors.New("OMS policy number must be 16 digits")

// NormalizeOMS returns the 16 digits of a unified OMS policy number (ENP),
// ignoring spaces and hyphens between groups. Only the length and the digits
// are checked: the ENP's last digit is a check digit, but its algorithm is
// not verified here, because a wrong guess would reject real citizens. The
// error never quotes the number, so it is safe to log.
func NormalizeOMS(s string) (string, error) {
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
	if len(digits) != 16 || !allDigits(digits) {
		return "", errOMSFormat
	}
	return digits, nil
}
