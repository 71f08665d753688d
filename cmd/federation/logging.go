package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/mattn/go-isatty"
)

// logFlags are the logging flags of the long-running commands.
type logFlags struct{ level, format string }

// register adds --log-level and --log-format to fs; empty defaults leave
// the choice to a config file.
func (l *logFlags) register(fs *flag.FlagSet, level, format string) {
	fs.StringVar(&l.level, "log-level", level, "debug, info, warn or error")
	fs.StringVar(&l.format, "log-format", format, "text, json, or auto: text on a terminal, JSON otherwise")
}

// newLogger returns the logger of a long-running command, at level
// ("debug", "info", "warn", "error") in format: "text" (slog's key=value
// lines), "json" (one object a line, for log collectors) or "auto" (text
// when w is a terminal, JSON otherwise). In both formats durations read as
// durations ("1.5s"), not as nanoseconds.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	terminal := isTerminal(w)
	opts := &slog.HandlerOptions{Level: l, ReplaceAttr: readableAttr(terminal)}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "auto", "":
		if terminal {
			return slog.New(slog.NewTextHandler(w, opts)), nil
		}
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text, json or auto", format)
}

// readableAttr writes durations with their unit and, for a person at a
// terminal, the time of day without the date.
func readableAttr(terminal bool) func([]string, slog.Attr) slog.Attr {
	return func(groups []string, a slog.Attr) slog.Attr {
		switch {
		case a.Value.Kind() == slog.KindDuration:
			a.Value = slog.StringValue(a.Value.Duration().String())
		case terminal && len(groups) == 0 && a.Key == slog.TimeKey:
			a.Value = slog.StringValue(a.Value.Time().Format(time.TimeOnly + ".000"))
		}
		return a
	}
}

// isTerminal reports whether w is a terminal (not merely a character
// device: /dev/null is one too).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// newTextLogger is for commands an operator runs by hand.
func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{ReplaceAttr: readableAttr(false)}))
}
