package main

import (
	"context"
	"fmt"
	"io"

	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
)

func runMissim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("missim", "Usage: federation missim --region CODE [flags]\n\nServes the reference regional MIS (contract v1) with seeded data, plus\n/admin/appointments and /admin/faults for tests. Flags:")
	region := fs.String("region", "", "federal subject code of the simulated region, e.g. 77 (required)")
	listen := fs.String("listen", "127.0.0.1:9077", "address to serve the MIS contract on")
	seed := fs.Int64("seed", 1, "seed of the generated facilities, practitioners and slots")
	tz := fs.String("timezone", "", "IANA time zone; default the demo table's zone for the region, else Europe/Moscow")
	token := fs.String("token", "", "bearer token the simulator requires (empty: none)")
	var logs logFlags
	logs.register(fs, "info", "auto")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *region == "" {
		fs.Usage()
		return fmt.Errorf("--region is required")
	}
	if *tz == "" {
		for _, r := range fleet.Regions {
			if r.Code == *region {
				*tz = r.TimeZone
			}
		}
	}
	logger, err := newLogger(stderr, logs.level, logs.format)
	if err != nil {
		return err
	}
	sim, err := fleet.StartSimulator(missim.Config{Region: *region, TimeZone: *tz, Seed: *seed, BearerToken: *token}, *listen, logger)
	if err != nil {
		return err
	}
	defer sim.Close()
	fmt.Fprintf(stdout, "MIS simulator for region %s at %s (admin: %s/admin/appointments)\n", *region, sim.URL, sim.URL)
	<-ctx.Done()
	return nil
}
