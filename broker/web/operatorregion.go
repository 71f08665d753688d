package web

import (
	"context"
	"strconv"
	"time"

	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/contracts"
)

// RegionHealth is what the operator's page reads of broker/regionstatus
// (a *regionstatus.Store): the status callbacks the broker refused,
// counted per region and reason over every instance.
type RegionHealth interface {
	CallbackRejections(ctx context.Context) ([]regionstatus.CallbackRejections, error)
	// RecentCallbackRejections counts region's refusals by reason in the
	// last 24 hours (by whole hours).
	RecentCallbackRejections(ctx context.Context, region string, now time.Time) (map[string]int64, error)
}

// refusedView is the operator's region's refused status callbacks: totals
// since the shared database began and in the last 24 hours, and the last
// refusal, in the region's time.
type refusedView struct {
	Total, Day string
	Last       string
	Rows       []refusedRow
	// Silent: the region's kind sends no callbacks (jsonrpc, feed), and
	// none was refused.
	Silent bool
}

type refusedRow struct {
	Reason, Count, Day, Last string
	Key                      string // the reason's text (refusedReasonKeys)
}

// refusedReasonKeys are the texts of broker/callbacks' reasons; a reason
// not listed (a newer instance's) is shown by its code.
var refusedReasonKeys = map[string]string{
	"missing_headers":   "queue.cb.missing",
	"malformed_headers": "queue.cb.malformed",
	"bad_signature":     "queue.cb.signature",
	"stale_timestamp":   "queue.cb.stale",
	"undecodable_body":  "queue.cb.undecodable",
}

// refusedCallbacks is region's refused callbacks, nil without a
// RegionHealth (the section is then left out).
func (s *Server) refusedCallbacks(ctx context.Context, region string, loc *time.Location) (*refusedView, error) {
	if s.cfg.RegionHealth == nil {
		return nil, nil
	}
	all, err := s.cfg.RegionHealth.CallbackRejections(ctx)
	if err != nil {
		return nil, err
	}
	recent, err := s.cfg.RegionHealth.RecentCallbackRejections(ctx, region, time.Now())
	if err != nil {
		return nil, err
	}
	const layout = "2006-01-02 15:04"
	v := &refusedView{}
	var total, day int64
	var last time.Time
	for _, rj := range all {
		if rj.Region != region {
			continue
		}
		key, ok := refusedReasonKeys[rj.Reason]
		if !ok {
			key = rj.Reason
		}
		total, day = total+rj.Count, day+recent[rj.Reason]
		if rj.LastAt.After(last) {
			last = rj.LastAt
		}
		v.Rows = append(v.Rows, refusedRow{Reason: rj.Reason, Key: key, Count: strconv.FormatInt(rj.Count, 10),
			Day: strconv.FormatInt(recent[rj.Reason], 10), Last: rj.LastAt.In(loc).Format(layout)})
	}
	v.Total, v.Day = strconv.FormatInt(total, 10), strconv.FormatInt(day, 10)
	v.Silent = len(v.Rows) == 0 && !s.sendsCallbacks(region)
	if !last.IsZero() {
		v.Last = last.In(loc).Format(layout) + " (" + zoneOf(last.In(loc)) + ")"
	}
	return v, nil
}

// sendsCallbacks reports whether region's kind sends status callbacks:
// fhir and soap do; jsonrpc converges by reconciliation, and a feed
// region's callbacks are its operators' own actions.
func (s *Server) sendsCallbacks(region string) bool {
	for _, reg := range s.cfg.Bookings.Regions() {
		if reg.Code == region {
			return reg.Kind == contracts.RegionFHIR || reg.Kind == contracts.RegionSOAP
		}
	}
	return false
}

// operatorRegionTexts are the words of the operator's region section,
// [ru, en], merged into texts.
var operatorRegionTexts = map[string][2]string{
	"queue.cb.title":       {"Отклонённые уведомления МИС о статусах", "Refused MIS status callbacks"},
	"queue.cb.none":        {"Ни одно уведомление МИС региона не отклонено.", "No status callback of the region's MIS has been refused."},
	"queue.cb.silent":      {"МИС региона не присылает уведомлений о статусах: записи сверяются иначе (сверкой или действиями операторов).", "The region's MIS sends no status callbacks: its bookings converge otherwise (by reconciliation or the operators' actions)."},
	"queue.cb.hint":        {"По всем экземплярам брокера: с начала работы и за последние 24 часа (по целым часам). Частые отказы по подписи значат, что МИС подписывает не тем секретом: сообщите администраторам.", "Over every broker instance: since the start and in the last 24 hours (by whole hours). Many bad signatures mean the MIS signs with the wrong secret: tell the administrators."},
	"queue.cb.reason":      {"Причина", "Reason"},
	"queue.cb.count":       {"Всего", "In total"},
	"queue.cb.day":         {"За 24 часа", "Last 24 hours"},
	"queue.cb.last":        {"Последний раз", "Last"},
	"queue.cb.total":       {"Итого", "Total"},
	"queue.cb.missing":     {"нет заголовков подписи", "signature headers missing"},
	"queue.cb.malformed":   {"заголовки подписи искажены", "signature headers malformed"},
	"queue.cb.signature":   {"подпись не подошла", "bad signature"},
	"queue.cb.stale":       {"метка времени старше 5 минут", "timestamp more than 5 minutes off"},
	"queue.cb.undecodable": {"тело не разобрано", "body not understood"},
}

func init() {
	for k, v := range operatorRegionTexts {
		texts[k] = v
	}
}
