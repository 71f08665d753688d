package main

import (
	"cmp"
	"context"
	"fmt"
	"io"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "Usage: federation serve --config FILE [flags]\n\nRuns the broker from a YAML config: Kafka (embedded or a cluster), the store,\nthe identity provider and the region registry. Flags:")
	path := fs.String("config", "", "YAML configuration file (see deploy/federation.example.yaml)")
	var logs logFlags
	logs.register(fs, "", "") // empty: the config's log_level and log_format
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *path == "" {
		fs.Usage()
		return fmt.Errorf("--config is required")
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	logger, err := newLogger(stderr, cmp.Or(logs.level, cfg.LogLevel), cmp.Or(logs.format, cfg.LogFormat))
	if err != nil {
		return err
	}
	opts, err := cfg.options(logger)
	if err != nil {
		return err
	}
	if cfg.Tracing.OTLPEndpoint != "" {
		tp, err := newTracerProvider(ctx, cfg.Tracing.OTLPEndpoint, cfg.Tracing.SampleRatio)
		if err != nil {
			return err
		}
		defer tp.Shutdown(context.WithoutCancel(ctx))
		opts.TracerProvider = tp
	}
	sys, err := system.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer sys.Close()
	logger.Info("federation broker serving", "url", sys.URL, "kafka", sys.KafkaAddrs, "regions", len(opts.Regions))
	fmt.Fprintf(stdout, "federation broker serving at %s\n", sys.URL)
	<-ctx.Done()
	logger.Info("shutting down")
	return nil
}
