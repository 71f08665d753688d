package system

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/google/uuid"
)

// recordRegionStatus shares a breaker transition with the other instances.
// The registry calls it outside the breaker's lock.
func (s *System) recordRegionStatus(region string, to contracts.RegionStatus) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Store.RecordRegionStatus(ctx, region, string(to), s.instance, time.Now()); err != nil {
		s.logger.Warn("region status not shared", "region", region, "status", to, "err", err)
	}
}

// instanceName names this process in shared records: host, pid and a
// random suffix (pids repeat across containers).
func instanceName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), uuid.NewString()[:8])
}

// sharedRegions is the registry as the API sees it: the region list and MIS
// from this instance, the status agreed across instances.
type sharedRegions struct {
	*regions.Registry
	view *regionstatus.View
}

func (r sharedRegions) Status(code string) contracts.RegionStatus { return r.view.Status(code) }
