package drill

import (
	"strings"
	"testing"
)

func TestABrokersLongWaitsAreItsGoroutinesBlockedAMinuteOrMoreEachStackOnce(t *testing.T) {
	dump := `SIGQUIT: quit
PC=0x47a1c1 m=0 sigcode=0

goroutine 0 gp=0x1 m=0 mp=0x2 [idle]:
runtime.futex()

goroutine 12 [select, 2 minutes]:
golang.org/x/sync/singleflight.(*Group).Do(0xc0001)
	/go/singleflight.go:110 +0x1a
github.com/fedhealth/federation/broker/bookings.(*takenSlots).of(0xc0002)
	/src/feedtaken.go:60 +0x2b

goroutine 13 [select, 3 minutes]:
golang.org/x/sync/singleflight.(*Group).Do(0xc0001)
	/go/singleflight.go:110 +0x1a
github.com/fedhealth/federation/broker/bookings.(*takenSlots).of(0xc0002)
	/src/feedtaken.go:60 +0x2b

goroutine 14 [IO wait]:
internal/poll.runtime_pollWait(0x1)

goroutine 15 [chan receive, 1 minutes, locked to thread]:
main.main()
	/src/main.go:9 +0x1
`
	got := summarizeLongWaits(dump, 100)
	for _, want := range []string{"2 goroutine(s) [select, 2+ minutes]:", "(*takenSlots).of", "1 goroutine(s) [chan receive, 1+ minutes]:", "main.main()"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "runtime_pollWait") || strings.Count(got, "singleflight.go:110") != 1 {
		t.Errorf("summary shows a short wait or a stack twice:\n%s", got)
	}
	if summarizeLongWaits("goroutine 1 [running]:\nmain.main()\n", 100) != "" {
		t.Error("a dump without long waits has a summary")
	}
	if lines := strings.Split(summarizeLongWaits(dump, 3), "\n"); len(lines) != 4 || lines[3] != "..." {
		t.Errorf("the summary is not cut at its line budget: %q", lines)
	}
}
