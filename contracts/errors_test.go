package contracts_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/fedhealth/federation/contracts"
)

func TestEveryKindHasAStableSnakeCaseName(t *testing.T) {
	snake := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	seen := map[string]contracts.Kind{}
	for _, k := range contracts.Kinds() {
		name := k.String()
		if !snake.MatchString(name) {
			t.Errorf("kind %d is named %q, want snake_case (is its row missing?)", uint8(k), name)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("kinds %d and %d share the name %q", uint8(other), uint8(k), name)
		}
		seen[name] = k
	}
	if contracts.Kinds()[0] != contracts.KindInternal || contracts.Kind(0) != contracts.KindInternal {
		t.Error("the zero kind must be internal: an unclassified error")
	}
}

func TestEverySentinelCarriesItsOwnKind(t *testing.T) {
	kinds := map[contracts.Kind]bool{}
	for _, err := range contracts.Sentinels() {
		k := contracts.KindOf(err)
		if k == contracts.KindInternal || kinds[k] {
			t.Errorf("sentinel %q has kind %v, already taken or unclassified", err, k)
		}
		kinds[k] = true
	}
	for _, k := range contracts.Kinds() {
		if !kinds[k] && k != contracts.KindInternal {
			t.Errorf("kind %v has no sentinel in contracts.Sentinels()", k)
		}
	}
}

func TestKindOfFindsTheKindAnywhereInTheChain(t *testing.T) {
	unauthorized := errors.New("MIS rejected the broker's credentials")
	mine := contracts.NewError(contracts.KindConflict, "key reused")
	cases := []struct {
		name string
		err  error
		want contracts.Kind
	}{
		{"a sentinel is its own kind", contracts.ErrSlotTaken, contracts.KindSlotTaken},
		{"a wrapped sentinel keeps its kind", fmt.Errorf("hold: %w", contracts.ErrSlotTaken), contracts.KindSlotTaken},
		{"the kind behind an unkinded error in a multi-%w chain is found",
			fmt.Errorf("search: %w: %w", unauthorized, contracts.ErrRegionUnavailable), contracts.KindUnavailable},
		{"a joined error has the kind of its first kinded member",
			errors.Join(errors.New("boom"), contracts.ErrOutcomeUnknown), contracts.KindOutcomeUnknown},
		{"another package's kinded sentinel has the kind it was made with", fmt.Errorf("post: %w", mine), contracts.KindConflict},
		{"an error without a kind is internal", errors.New("boom"), contracts.KindInternal},
		{"a caller's cancellation is internal, not the region's fault", context.Canceled, contracts.KindInternal},
		{"a deadline exceeded is internal, as before kinds existed", fmt.Errorf("hold: %w", context.DeadlineExceeded), contracts.KindInternal},
		{"nil is internal: classifiers treat nil as success before asking", nil, contracts.KindInternal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := contracts.KindOf(c.err); got != c.want {
				t.Errorf("KindOf(%v) = %v, want %v", c.err, got, c.want)
			}
		})
	}
	if errors.Is(mine, contracts.ErrConflict) || errors.Is(contracts.NewError(contracts.KindConflict, "key reused"), mine) {
		t.Error("errors made by NewError are told apart by identity, not by kind or message")
	}
}
