package auth

import (
	"strconv"
	"testing"
	"time"
)

func TestNormalizeSNILS(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  string
		valid bool
	}{
		{"the well-known example in its usual form is accepted", "112-233-445 95", "11223344595", true},
		{"the well-known example as bare digits is accepted", "11223344595", "11223344595", true},
		{"a hyphen before the check digits is accepted", "112-233-445-95", "11223344595", true},
		{"a sum above 101 is taken modulo 101", "987-654-321 83", "98765432183", true},
		{"a sum of exactly 100 gives check digits 00", "100-356-355 00", "10035635500", true},
		{"a sum of exactly 101 gives check digits 00", "100-079-190 00", "10007919000", true},
		{"a sum whose modulo is 100 gives check digits 00", "106-897-449 00", "10689744900", true},
		{"an old number below the checksum era is accepted as is", "001-001-998 77", "00100199877", true},
		{"a wrong check digit is rejected", "112-233-445 96", "", false},
		{"a sum of 100 written as its last two digits is rejected", "100-356-355 10", "", false},
		{"an unreduced sum above 101 is rejected", "987-654-321 85", "", false},
		{"ten digits are rejected", "1122334459", "", false},
		{"twelve digits are rejected", "112233445950", "", false},
		{"letters are rejected", "11223344a95", "", false},
		{"all zeros are rejected", "000-000-000 00", "", false},
		{"odd grouping is rejected", "1122-33-445 95", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeSNILS(tt.in)
			if (err == nil) != tt.valid || got != tt.want {
				t.Fatalf("NormalizeSNILS(%q) = %q, %v; want %q, valid=%v", tt.in, got, err, tt.want, tt.valid)
			}
		})
	}
}

func TestSNILSChecksumFollowsTheWeightedSumRule(t *testing.T) {
	tests := []struct {
		name   string
		number string
		sum    int // digits weighted 9 down to 1, worked out by hand
		want   string
	}{
		{"a sum below 100 is the checksum itself", "112233445", 95, "95"},
		{"a small sum is padded to two digits", "100000000", 9, "09"},
		{"a sum of 100 gives 00", "100356355", 100, "00"},
		{"a sum of 101 gives 00", "100079190", 101, "00"},
		{"a sum above 101 is reduced modulo 101", "987654321", 285, "83"},
		{"a sum whose remainder is 100 gives 00", "106897449", 201, "00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum := 0
			for i := range 9 {
				sum += int(tt.number[i]-'0') * (9 - i)
			}
			if sum != tt.sum {
				t.Fatalf("weighted sum of %s is %d, the table says %d", tt.number, sum, tt.sum)
			}
			if got := SNILSChecksum(tt.number); got != tt.want {
				t.Fatalf("SNILSChecksum(%s) = %s, want %s", tt.number, got, tt.want)
			}
		})
	}
}

func TestNormalizeOMS(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  string
		valid bool
	}{
		{"sixteen digits are accepted", "1234567890123456", "1234567890123456", true},
		{"groups separated by spaces are joined", "1234 5678 9012 3456", "1234567890123456", true},
		{"fifteen digits are rejected", "123456789012345", "", false},
		{"seventeen digits are rejected", "12345678901234567", "", false},
		{"letters are rejected", "12345678901234AB", "", false},
		{"an empty number is rejected", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeOMS(tt.in)
			if (err == nil) != tt.valid || got != tt.want {
				t.Fatalf("NormalizeOMS(%q) = %q, %v; want %q, valid=%v", tt.in, got, err, tt.want, tt.valid)
			}
		})
	}
}

func TestSyntheticIdentifiersAreValidAndStable(t *testing.T) {
	for i := range 2000 {
		id := "citizen-" + strconv.Itoa(i)
		snils := SyntheticSNILS(id)
		if _, err := NormalizeSNILS(snils); err != nil || len(snils) != 11 {
			t.Fatalf("SyntheticSNILS(%q) = %q: %v", id, snils, err)
		}
		if _, err := NormalizeOMS(SyntheticOMS(id)); err != nil {
			t.Fatalf("SyntheticOMS(%q) = %q: %v", id, SyntheticOMS(id), err)
		}
		if d, err := time.Parse(time.DateOnly, SyntheticBirthDate(id)); err != nil || d.Year() < 1940 || d.Year() > 2006 {
			t.Fatalf("SyntheticBirthDate(%q) = %q: %v", id, SyntheticBirthDate(id), err)
		}
		if SyntheticSNILS(id) != snils {
			t.Fatalf("SyntheticSNILS(%q) is not deterministic", id)
		}
	}
}
