package kafkaembed

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kfake"
)

// slogAdapter passes kfake's warnings and errors to slog. Info and debug
// lines are dropped before formatting: kfake logs every request at those
// levels, which would cost more than the broker itself.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Logf(level kfake.LogLevel, format string, args ...any) {
	var sl slog.Level
	switch level {
	case kfake.LogLevelError:
		sl = slog.LevelError
	case kfake.LogLevelWarn:
		sl = slog.LevelWarn
	default:
		return
	}
	if !a.l.Enabled(context.Background(), sl) {
		return
	}
	a.l.Log(context.Background(), sl, "kafkaembed: "+fmt.Sprintf(format, args...))
}
