package loadgen

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fakeMIS offers perDay slots a day for days days, from tomorrow, and
// answers a window with at most pageLimit of them, as the API does.
func fakeMIS(perDay, days int) (fetchFunc, *int) {
	calls := 0
	day0 := dateOf(time.Now().UTC()).AddDate(0, 0, 1)
	return func(_ context.Context, from, to time.Time) ([]slotRef, error) {
		calls++
		var out []slotRef
		for d := range days {
			day := day0.AddDate(0, 0, d)
			if day.Before(from) || day.After(to) {
				continue
			}
			for i := range perDay {
				if len(out) == pageLimit {
					return out, nil
				}
				out = append(out, slotRef{id: fmt.Sprintf("S-%d-%d", d, i), start: day.Add(time.Duration(i) * time.Second)})
			}
		}
		return out, nil
	}, &calls
}

func TestGatherPagesThroughDateWindows(t *testing.T) {
	cases := []struct {
		name         string
		perDay, days int
		need         int
		wantErr      string
	}{
		{"one page is enough for a small run", 50, 30, 400, ""},
		{"full pages continue from their last day", 700, 30, 5000, ""},
		{"windows past the first fortnight are searched", 10, 60, 500, ""},
		{"a day with more slots than a page does not loop", 3000, 3, 1500, ""},
		{"too few slots is an error that says how many", 10, 5, 100, "found 50 free slots, need 100"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fetch, calls := fakeMIS(c.perDay, c.days)
			got, err := gather(context.Background(), c.need, fetch)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("want error %q, got %v", c.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, s := range got {
				if seen[s.id] {
					t.Fatalf("slot %s gathered twice", s.id)
				}
				seen[s.id] = true
			}
			if len(got) != c.need || *calls > 40 {
				t.Fatalf("gathered %d in %d searches, want %d", len(got), *calls, c.need)
			}
		})
	}
}
