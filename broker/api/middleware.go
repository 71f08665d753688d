package api

import (
	"context"
	"net/http"

	"github.com/fedhealth/federation/contracts"
	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
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

// trace completes the request's server span and HTTP metrics, which the
// HTTP server's instrumentation (otelhttp, wired by cmd) started after
// taking the caller's traceparent: it adds the correlation id to the span
// and, once the router matched, names the span by route and labels the
// metrics with it (http.route). Only the router knows the route, and a
// route, not a path, because ids in names or labels would explode their
// cardinality.
func (s *Server) trace(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		span := trace.SpanFromContext(ctx)
		span.SetAttributes(attribute.String("correlation_id", CorrelationID(ctx)))
		next.ServeHTTP(w, r)
		rc := chi.RouteContext(ctx)
		if rc == nil || rc.RoutePattern() == "" {
			return
		}
		route := semconv.HTTPRoute(rc.RoutePattern())
		span.SetName(r.Method + " " + rc.RoutePattern())
		span.SetAttributes(route)
		if labeler, ok := otelhttp.LabelerFromContext(ctx); ok {
			labeler.Add(route)
		}
	})
}
