package drill

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// longWaits ends a broker that has failed a drill with SIGQUIT, on which
// the Go runtime writes every goroutine's stack to its log and exits, and
// returns the stacks of the goroutines that had been waiting a minute or
// more, alike ones counted once, at most maxLines lines. A drill that
// timed out on a hung broker thus says where it hung, even in CI, where
// no directory is kept. Empty when the broker is not running.
func (b *broker) longWaits(maxLines int) string {
	if b.cmd == nil {
		return ""
	}
	before, _ := os.Stat(b.logPath)
	if err := b.cmd.Process.Signal(syscall.SIGQUIT); err != nil {
		return ""
	}
	select {
	case <-b.exited:
	case <-time.After(10 * time.Second):
		_ = b.kill()
	}
	b.cmd = nil
	data, err := os.ReadFile(b.logPath)
	if err != nil || before == nil || int64(len(data)) < before.Size() {
		return ""
	}
	return summarizeLongWaits(string(data[before.Size():]), maxLines)
}

// goroutineHeader is a stack's first line in a Go traceback, such as
// "goroutine 7 [select, 3 minutes]:"; the wait is shown from a minute on.
var goroutineHeader = regexp.MustCompile(`^goroutine \d+ \[([^,\]]+), (\d+) minutes(, locked to thread)?\]:$`)

// summarizeLongWaits picks the goroutines of a traceback that had waited a
// minute or more and counts alike stacks once.
func summarizeLongWaits(dump string, maxLines int) string {
	type group struct {
		header string
		count  int
	}
	var order []string
	groups := map[string]*group{}
	for _, block := range strings.Split(dump, "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		m := goroutineHeader.FindStringSubmatch(lines[0])
		if m == nil {
			continue
		}
		stack := strings.Join(lines[1:], "\n")
		g, ok := groups[stack]
		if !ok {
			g = &group{header: fmt.Sprintf("[%s, %s+ minutes]", m[1], m[2])}
			groups[stack] = g
			order = append(order, stack)
		}
		g.count++
	}
	if len(order) == 0 {
		return ""
	}
	out := []string{"--- the broker's goroutines that had waited a minute or more (SIGQUIT) ---"}
	for _, stack := range order {
		g := groups[stack]
		out = append(out, fmt.Sprintf("%d goroutine(s) %s:", g.count, g.header))
		out = append(out, strings.Split(stack, "\n")...)
		if len(out) >= maxLines {
			out = append(out[:maxLines], "...")
			break
		}
	}
	return strings.Join(out, "\n")
}
