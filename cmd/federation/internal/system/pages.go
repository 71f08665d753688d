package system

import (
	"context"
	"time"
)

// purgeSessions deletes expired page sessions every ten minutes (reads
// already ignore them; this keeps the shared table small).
func (s *System) purgeSessions(ctx context.Context) error {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if n, err := s.sessions.Purge(ctx); err != nil && ctx.Err() == nil {
			s.logger.Warn("expired page sessions not purged", "err", err)
		} else if n > 0 {
			s.logger.Debug("expired page sessions purged", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
