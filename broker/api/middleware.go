package api

import (
	"context"
	"net/http"

	"github.com/fedhealth/federation/contracts"
	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// HeaderCorrelationID carries the correlation id in and out of the API; it
// travels on into every saga message and MIS call of the request.
const HeaderCorrelationID = contracts.HeaderCorrelationID

// CorrelationID returns the request's correlation id.
func CorrelationID(ctx context.Context) string { return contracts.CorrelationID(ctx) }

// correlate takes the caller's correlation id when it is well formed and
// makes one up otherwise. It rides in the request's context
// (contracts.WithCorrelationID): the booking stores it, its saga messages
// carry it, and the MIS client sends it with every call of the request.
func (s *Server) correlate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(HeaderCorrelationID)
		if !contracts.ValidCorrelationID(id) {
			id = uuid.NewString()
		}
		w.Header().Set(HeaderCorrelationID, id)
		next.ServeHTTP(w, r.WithContext(contracts.WithCorrelationID(r.Context(), id)))
	})
}

// trace continues the caller's W3C trace (if any) in a server span.
func (s *Server) trace(next http.Handler) http.Handler {
	tracer := otel.Tracer("github.com/fedhealth/federation/broker/api")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := otel.GetTextMapPropagator().Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("correlation_id", CorrelationID(ctx))))
		defer span.End()
		next.ServeHTTP(w, r.WithContext(ctx))
		// Named by route, not path: ids in span names would explode cardinality.
		if rc := chi.RouteContext(ctx); rc != nil && rc.RoutePattern() != "" {
			span.SetName(r.Method + " " + rc.RoutePattern())
		}
	})
}
