package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTheExampleConfigParsesIntoTheOptionsItDescribes(t *testing.T) {
	t.Setenv("FEDERATION_PSEUDONYM_KEY", strings.Repeat("ab", 32))
	t.Setenv("FEDERATION_SEAL_KEY", strings.Repeat("cd", 32))
	cfg, err := loadConfig("../../deploy/federation.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts, err := cfg.options(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LogLevel != "info" || cfg.LogFormat != "auto" {
		t.Errorf("log level %q, format %q; want info, auto", cfg.LogLevel, cfg.LogFormat)
	}
	if opts.Listen != "127.0.0.1:8080" || opts.Partitions != 4 || !opts.DevIssuer || opts.BookingDeadline != 2*time.Minute ||
		len(opts.PseudonymKey) != 32 || len(opts.SealKey) != 32 || len(opts.KafkaBrokers) != 0 {
		t.Errorf("options %+v", opts)
	}
	if len(opts.Regions) != 2 {
		t.Fatalf("%d regions, want 2", len(opts.Regions))
	}
	r := opts.Regions[1]
	if r.Code != "25" || r.TimeZone != "Asia/Vladivostok" || r.MIS.BaseURL != "http://127.0.0.1:9025" ||
		r.MIS.CallTimeout != 5*time.Second || r.MIS.Retry.RetryAfterCap != 2*time.Second ||
		r.Breaker.ConsecutiveFailures != 5 || r.Breaker.MaxConcurrent != 32 {
		t.Errorf("region 25 parsed as %+v", r)
	}
	if b := opts.Regions[0].Breaker; b.SearchMaxConcurrent != 8 || b.SearchTimeout != 3*time.Second {
		t.Errorf("region 77's search budget parsed as %d, %v; want 8, 3s", b.SearchMaxConcurrent, b.SearchTimeout)
	}
	l := opts.Limits
	if opts.IdempotencyTTL != 72*time.Hour || l.Citizen.Reads.PerSecond != 20 || l.Citizen.Reads.Burst != 300 ||
		l.Citizen.Writes.Burst != 50 || l.Address.Reads.Burst != 1000 || l.Address.Writes.PerSecond != 50 || l.LongPollsPerCitizen != 4 {
		t.Errorf("idempotency_ttl %v, limits %+v", opts.IdempotencyTTL, l)
	}
}

func TestLimitsAndTheIdempotencyTTLComeFromTheYAML(t *testing.T) {
	t.Setenv("FED_TEST_KEY", strings.Repeat("ab", 32))
	path := filepath.Join(t.TempDir(), "c.yaml")
	yaml := "secrets: {pseudonym_key: env:FED_TEST_KEY, seal_key: env:FED_TEST_KEY}\nidempotency_ttl: 1h\n" +
		"limits:\n  citizen: {writes: {per_second: 1, burst: 2}}\n  trusted_proxies: [10.0.0.0/8]\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := cfg.options(nil)
	if err != nil {
		t.Fatal(err)
	}
	l := opts.Limits
	if opts.IdempotencyTTL != time.Hour || l.Citizen.Writes.PerSecond != 1 || l.Citizen.Writes.Burst != 2 ||
		len(l.TrustedProxies) != 1 || l.Citizen.Reads.PerSecond != 0 {
		t.Errorf("idempotency_ttl %v, limits %+v; want 1h and only the writes and proxies set (the rest defaults)", opts.IdempotencyTTL, l)
	}
}

func TestConfigMistakesAreReportedNotGuessed(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"an unknown key is refused":     {"listen: x\nlisten_adress: y\n", "listen_adress"},
		"a missing secret is named":     {"secrets: {pseudonym_key: env:FED_TEST_UNSET, seal_key: env:FED_TEST_UNSET}\n", "FED_TEST_UNSET"},
		"a short key is refused":        {"secrets: {pseudonym_key: abcd, seal_key: abcd}\n", "64 hex"},
		"a secret must be given at all": {"listen: x\n", "required"},
		"a misspelt limit is refused":   {"limits: {citizen: {reads: {per_secnd: 1}}}\n", "per_secnd"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(c.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := loadConfig(path)
			if err == nil {
				_, err = cfg.options(nil)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one naming %q", err, c.want)
			}
		})
	}
}

func TestTracingNeedsAnHTTPCollectorAddress(t *testing.T) {
	for endpoint, ok := range map[string]bool{"http://otel-collector:4318": true, "collector:4318": false, "ftp://x": false} {
		tp, err := newTracerProvider(t.Context(), endpoint, 0.5)
		if (err == nil) != ok {
			t.Errorf("endpoint %q: %v", endpoint, err)
		}
		if tp != nil {
			_ = tp.Shutdown(t.Context())
		}
	}
}

func TestTheComposeConfigIsOneServeAccepts(t *testing.T) {
	for _, env := range []string{"FEDERATION_PSEUDONYM_KEY", "FEDERATION_SEAL_KEY"} {
		t.Setenv(env, strings.Repeat("ab", 32))
	}
	t.Setenv("DATABASE_URL", "postgres://u:p@postgres:5432/federation")
	for _, code := range []string{"77", "78", "16", "54", "25"} {
		t.Setenv("MIS_TOKEN_"+code, "token")
	}
	cfg, err := loadConfig("../../deploy/compose/federation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts, err := cfg.options(nil)
	if err != nil {
		t.Fatal(err)
	}
	if opts.PostgresURL == "" || len(opts.KafkaBrokers) == 0 || len(opts.Regions) != 5 || cfg.Tracing.OTLPEndpoint == "" {
		t.Errorf("compose config gives %+v", opts)
	}
}
