package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/fedhealth/federation/regions/missim/feedsim"
)

// runFeedSim serves the slot-feed publisher simulator (SMART Scheduling
// Links) on listen until ctx ends: `federation missim --kind feed`. It is
// its own case beside runMissim's other kinds so the kinds merge apart;
// runMissim calls it with the parsed --region, --timezone, --seed and
// admin token. A feed is public static data, so there is no contract token.
func runFeedSim(ctx context.Context, cfg feedsim.Config, listen string, logger *slog.Logger, stdout io.Writer) error {
	sim, err := feedsim.New(cfg, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("feed simulator %s: %w", cfg.Region, err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "slot feed simulator for region %s at %s/$bulk-publish (admin: %s/admin/faults, %s)\n",
		cfg.Region, url, url, adminRule(cfg.AdminToken, url))
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
