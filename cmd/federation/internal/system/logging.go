package system

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// WithTraceIDs returns l writing the trace_id and span_id of the context a
// line is logged with (the slog *Context methods, Log and LogAttrs), so
// that a log line leads to its trace and a trace to its log lines. Lines
// logged without a context, or outside any span, are written as they were.
// Start applies it to the system's logger.
func WithTraceIDs(l *slog.Logger) *slog.Logger {
	if _, ok := l.Handler().(traceHandler); ok {
		return l
	}
	return slog.New(traceHandler{l.Handler()})
}

// traceHandler is the slog.Handler behind WithTraceIDs. The ids are added
// where the record is handled, so after WithGroup they land in the group.
type traceHandler struct{ slog.Handler }

func (h traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceHandler{h.Handler.WithAttrs(attrs)}
}

func (h traceHandler) WithGroup(name string) slog.Handler {
	return traceHandler{h.Handler.WithGroup(name)}
}
