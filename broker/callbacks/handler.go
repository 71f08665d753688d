package callbacks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
	"go.opentelemetry.io/otel/metric"
)

// Region is one region that sends callbacks.
type Region struct {
	Code    string
	Dialect Dialect
	// Secrets are the region's signing secrets (whsec_ base64): all are
	// accepted, so a rotation configures the new one beside the old,
	// lets the MIS switch, then removes the old.
	Secrets []string
}

// Publisher is where accepted changes go: sagas/clinic.Publisher.
type Publisher interface {
	Publish(ctx context.Context, ev contracts.ClinicEvent) error
}

// PatientKeys derives the patient keys of a booking made elsewhere:
// auth.Pseudonymizer.
type PatientKeys interface {
	PatientKeys(snils, oms string) []string
}

// RejectionCounter keeps the count of refused callbacks per region and
// reason across instances: broker/regionstatus.Store, which
// "federation regions status" reads.
type RejectionCounter interface {
	AddCallbackRejection(ctx context.Context, region, reason string, at time.Time) error
}

// Config wires the Handler. Regions not listed (unknown ones, and the
// kinds without callbacks: jsonrpc, feed) are answered 404.
type Config struct {
	Regions   []Region
	Store     *Store
	Publisher Publisher
	Keys      PatientKeys
	// Rejections counts refusals for the operators; nil: the metric only.
	Rejections RejectionCounter
	// MeterProvider counts refusals; nil means the global one.
	MeterProvider metric.MeterProvider
	// Logger nil discards.
	Logger *slog.Logger
}

// Handler serves POST /api/v1/callbacks/{region}. It is safe for
// concurrent use.
type Handler struct {
	regions   map[string]region
	store     *Store
	publisher Publisher
	keys      PatientKeys
	counter   RejectionCounter
	metrics   *metrics
	logger    *slog.Logger
}

type region struct {
	dialect  Dialect
	verifier verifier
}

// New checks cfg: every region needs a valid code, a dialect and at least
// one well-formed secret.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Publisher == nil || cfg.Keys == nil {
		return nil, errors.New("callbacks: Store, Publisher and Keys are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(cfg.MeterProvider)
	if err != nil {
		return nil, fmt.Errorf("callbacks: metrics: %w", err)
	}
	h := &Handler{regions: map[string]region{}, store: cfg.Store, publisher: cfg.Publisher, keys: cfg.Keys,
		counter: cfg.Rejections, metrics: m, logger: cfg.Logger}
	for _, r := range cfg.Regions {
		if !contracts.ValidRegionCode(r.Code) || r.Dialect.Decode == nil {
			return nil, fmt.Errorf("callbacks: region %q needs a valid code and a dialect", r.Code)
		}
		v, err := newVerifier(r.Secrets)
		if err != nil {
			return nil, fmt.Errorf("callbacks: region %s: %w", r.Code, err)
		}
		h.regions[r.Code] = region{dialect: r.Dialect, verifier: v}
	}
	return h, nil
}

// Serve answers one callback for regionCode (the path's {region}).
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, regionCode string) {
	reg, ok := h.regions[regionCode]
	if !ok {
		refuse(w, JSONDialect, problemNoRegion)
		return
	}
	d := reg.dialect
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != d.MediaType {
		refuse(w, d, problemMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, misv2.MaxCallbackBody))
	if err != nil {
		refuse(w, d, problemTooLarge)
		return
	}
	if reason := reg.verifier.verify(body, r.Header); reason != "" {
		h.reject(r.Context(), regionCode, reason)
		refuse(w, d, problemUnauthenticated)
		return
	}
	ctx, id := r.Context(), r.Header.Get("webhook-id")
	first, err := h.store.Answered(ctx, regionCode, id)
	if err != nil {
		h.unavailable(w, r, d, regionCode, err)
		return
	}
	if first != nil {
		h.logger.InfoContext(ctx, "callback repeated; answered as the first time", "region", regionCode, "webhook_id", id)
		write(w, *first)
		return
	}
	a, err := h.process(ctx, regionCode, id, d, body)
	if err == nil {
		a, err = h.store.Record(ctx, regionCode, id, a)
	}
	if err != nil {
		h.unavailable(w, r, d, regionCode, err)
		return
	}
	write(w, a)
}

// process turns a verified body into the answer to record: accepted once
// its event is in the outbox, 400 when it is not a change this version
// reads. An error means the answer is not recorded and the sender is told
// to retry; if the event reached the outbox already, the retry publishes
// it again under the same event id, which the history applies once.
func (h *Handler) process(ctx context.Context, regionCode, id string, d Dialect, body []byte) (Answer, error) {
	cb, err := d.Decode(body)
	if err == nil {
		ev := h.event(regionCode, id, cb)
		err = h.publisher.Publish(ctx, ev)
		if err == nil {
			h.logger.InfoContext(ctx, "callback accepted", "region", regionCode, "webhook_id", id,
				"event_id", ev.EventID, "change", ev.Change)
			return Answer{Status: http.StatusAccepted, ContentType: d.ContentType, Body: d.Accepted(ev.EventID)}, nil
		}
		if k := contracts.KindOf(err); k != contracts.KindInvalid && k != contracts.KindUnsupported {
			return Answer{}, err
		}
	}
	h.reject(ctx, regionCode, ReasonUndecodable)
	h.logger.WarnContext(ctx, "callback verified but not decoded", "region", regionCode, "webhook_id", id,
		"dialect", d.Name, "err", err) // the decoders' errors name members, never values of the patient
	p := problemUndecodable
	return Answer{Status: p.Status, ContentType: d.RefusalType, Body: d.Refused(p.Status, p.Code, p.Detail)}, nil
}

func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, d Dialect, regionCode string, err error) {
	h.logger.WarnContext(r.Context(), "callback not recorded", "region", regionCode, "err", err)
	w.Header().Set("Retry-After", "30")
	refuse(w, d, problemUnavailable)
}

// reject counts a refusal in the metric and for the operators; a store
// that cannot count does not change the answer.
func (h *Handler) reject(ctx context.Context, regionCode, reason string) {
	h.metrics.rejected(ctx, regionCode, reason)
	h.logger.WarnContext(ctx, "callback refused", "region", regionCode, "reason", reason)
	if h.counter == nil {
		return
	}
	if err := h.counter.AddCallbackRejection(ctx, regionCode, reason, time.Now()); err != nil {
		h.logger.WarnContext(ctx, "callback refusal not counted", "region", regionCode, "err", err)
	}
}

func refuse(w http.ResponseWriter, d Dialect, p Problem) {
	write(w, Answer{Status: p.Status, ContentType: d.RefusalType, Body: d.Refused(p.Status, p.Code, p.Detail)})
}

func write(w http.ResponseWriter, a Answer) {
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(a.Body)))
	w.WriteHeader(a.Status)
	_, _ = w.Write(a.Body)
}
