package subjects_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/subjects"
)

func TestEverySubjectHasAValidCodeAZoneThatLoadsAndIsFoundByIt(t *testing.T) {
	if len(subjects.All) != 85 {
		t.Fatalf("%d subjects, want 85", len(subjects.All))
	}
	if !slices.IsSortedFunc(subjects.All, func(a, b subjects.Subject) int { return strings.Compare(a.Code, b.Code) }) {
		t.Fatal("subjects not in code order: Lookup's binary search needs it")
	}
	for _, s := range subjects.All {
		if !contracts.ValidRegionCode(s.Code) || s.Name == "" {
			t.Errorf("subject %+v malformed", s)
		}
		if _, err := time.LoadLocation(s.TimeZone); err != nil {
			t.Errorf("subject %s: zone %q: %v", s.Code, s.TimeZone, err)
		}
		if got, ok := subjects.Lookup(s.Code); !ok || got != s {
			t.Errorf("Lookup(%q) = %+v, %v", s.Code, got, ok)
		}
	}
	if _, ok := subjects.Lookup("00"); ok {
		t.Error("Lookup found code 00")
	}
}
