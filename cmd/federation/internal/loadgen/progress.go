package loadgen

import (
	"fmt"
	"io"
	"os"
	"time"
)

// isTerminal reports whether w is a character device (a terminal), where
// a progress line can redraw itself; files and pipes get plain lines.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress prints the run's counters every interval until stop is called.
func progress(w io.Writer, every time.Duration, total int, rec *recorder) (stop func()) {
	if w == nil {
		return func() {}
	}
	term := isTerminal(w)
	if every == 0 {
		every = 5 * time.Second
		if term {
			every = time.Second
		}
	}
	start := time.Now()
	line := func() string {
		done, bad := rec.finished.Load(), rec.failedRuns.Load()
		el := time.Since(start)
		return fmt.Sprintf("[%5.1fs] %d/%d final, %d errors or timeouts, %.0f bookings/s",
			el.Seconds(), done, total, bad, float64(done)/el.Seconds())
	}
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if term {
					fmt.Fprintf(w, "\r%s\x1b[K", line())
				} else {
					fmt.Fprintln(w, line())
				}
			case <-quit:
				if term {
					fmt.Fprintf(w, "\r%s\x1b[K\n", line())
				}
				return
			}
		}
	}()
	return func() { close(quit); <-finished }
}
