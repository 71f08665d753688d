package bookings

import (
	"context"
	"log/slog"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
)

// ElsewhereImporter imports the appointments a patient has in the regions
// whose MIS can only be asked about one patient at a time (the jsonrpc
// kind: no period search, so no scheduled pass can find what the clinic
// booked through another channel). The system implements it with the
// reconciliation pass (sagas/reconcile.Pass.ImportPatient); an import
// becomes a booking once the clinic event is applied.
type ElsewhereImporter interface {
	ImportElsewhere(ctx context.Context, who contracts.Patient) error
}

// Defaults of the import on reading the history.
const (
	// DefaultElsewhereEvery: a citizen's regions are asked at most this
	// often per instance, however often the history is read.
	DefaultElsewhereEvery = 10 * time.Minute
	// elsewhereInFlight bounds the imports running at once: each asks
	// every such region's MIS, and a burst of history reads must not turn
	// into a burst of calls to them (the ones over the bound wait for the
	// citizen's next read).
	elsewhereInFlight = 8
	// elsewhereTimeout bounds one import, which runs after the read has
	// answered.
	elsewhereTimeout = 20 * time.Second
	// elsewhereRemembered bounds the citizens remembered as recently asked.
	elsewhereRemembered = 200_000
)

// elsewhere runs the imports the history's reads start: in the
// background, at most once per citizen per interval, a bounded number at
// a time. The citizen's read never waits for it; what it imports shows on
// a later read.
type elsewhere struct {
	importer ElsewhereImporter
	asked    *expirable.LRU[string, struct{}] // citizen keys asked within the interval
	slots    chan struct{}
	logger   *slog.Logger
}

func newElsewhere(importer ElsewhereImporter, every time.Duration, cfg Config) *elsewhere {
	if importer == nil {
		return nil
	}
	return &elsewhere{importer: importer, asked: expirable.NewLRU[string, struct{}](elsewhereRemembered, nil, every),
		slots: make(chan struct{}, elsewhereInFlight), logger: cfg.Logger}
}

// start imports for the citizen named by key, unless they were asked
// within the interval or the bound is reached. Only a citizen whose token
// names their OMS policy and birth date can be looked up (the jsonrpc
// kind's patient lookup).
func (e *elsewhere) start(ctx context.Context, key string, c auth.Citizen) {
	if e == nil || c.OMS == "" || c.BirthDate == "" || e.asked.Contains(key) {
		return
	}
	select {
	case e.slots <- struct{}{}:
	default:
		return // busy: the next read tries again
	}
	e.asked.Add(key, struct{}{})
	who := contracts.Patient{SNILS: c.SNILS, OMS: c.OMS, BirthDate: c.BirthDate}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), elsewhereTimeout)
	go func() {
		defer func() { <-e.slots; cancel() }()
		if err := e.importer.ImportElsewhere(ctx, who); err != nil {
			// No identifier in the log: the error names regions and
			// appointments only.
			e.logger.Warn("bookings: importing the bookings made elsewhere failed; the next read tries again", "err", err)
			e.asked.Remove(key)
		}
	}()
}
