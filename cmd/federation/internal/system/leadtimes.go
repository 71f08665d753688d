package system

import (
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	"github.com/google/uuid"
)

// leadTimeEvery is how often one region and specialty is sampled.
const leadTimeEvery = time.Minute

// leadTimes publishes the searches' earliest free slots as
// contracts.SlotLeadTime samples, at most one per region and specialty a
// minute, straight to Kafka in the background: a sample lost to a failing
// broker is just one fewer, so it needs no outbox, and a search never
// waits for it.
type leadTimes struct {
	topic  string
	pub    message.Publisher
	logger *slog.Logger

	mu   sync.Mutex
	last map[[2]string]time.Time
}

func newLeadTimes(namespace string, pub message.Publisher, logger *slog.Logger) *leadTimes {
	return &leadTimes{topic: namespace + contracts.TopicLeadTimes, pub: pub, logger: logger, last: map[[2]string]time.Time{}}
}

// observe is bookings.Config.LeadTimes.
func (l *leadTimes) observe(region, specialty string, earliest, observed time.Time) {
	key := [2]string{region, specialty}
	l.mu.Lock()
	if observed.Sub(l.last[key]) < leadTimeEvery {
		l.mu.Unlock()
		return
	}
	l.last[key] = observed
	l.mu.Unlock()
	body, err := json.Marshal(contracts.SlotLeadTime{Version: contracts.MessageVersion, EventID: uuid.NewString(),
		Region: region, Specialty: specialty, ObservedAt: observed.UTC(), EarliestStart: earliest.UTC()})
	if err != nil {
		return // a plain struct: cannot happen
	}
	go func() {
		m := message.NewMessage(uuid.NewString(), body)
		m.Metadata.Set(kafka.KeyMetadata, region)
		if err := l.pub.Publish(l.topic, m); err != nil {
			l.logger.Debug("slot lead time sample not published", "region", region, "err", err)
		}
	}()
}
