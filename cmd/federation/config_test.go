package main

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/sagas/bus/kafka"
)

func TestTheExampleConfigParsesIntoTheOptionsItDescribes(t *testing.T) {
	t.Setenv("FEDERATION_PSEUDONYM_KEY", strings.Repeat("ab", 32))
	t.Setenv("FEDERATION_SEAL_KEY", strings.Repeat("cd", 32))
	t.Setenv("MIS_TOKEN_77", "token-77")
	t.Setenv("MIS_TOKEN_25", "token-25")
	cfg, err := loadConfig("../../deploy/federation.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.checkServe(); err != nil {
		t.Errorf("serve refuses the example: %v", err)
	}
	opts, err := cfg.options(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LogLevel != "info" || cfg.LogFormat != "auto" {
		t.Errorf("log level %q, format %q; want info, auto", cfg.LogLevel, cfg.LogFormat)
	}
	if opts.Listen != "127.0.0.1:8080" || opts.InternalListen != "127.0.0.1:9090" || opts.Partitions != 4 || opts.DevIssuer ||
		opts.Issuer != "http://127.0.0.1:9400" || opts.Audience != "federation" || opts.BookingDeadline != 2*time.Minute ||
		len(opts.PseudonymKey) != 32 || len(opts.SealKey) != 32 || len(opts.KafkaBrokers) != 0 {
		t.Errorf("options %+v", opts)
	}
	if len(opts.Regions) != 2 {
		t.Fatalf("%d regions, want 2", len(opts.Regions))
	}
	r := opts.Regions[1]
	if r.Code != "25" || r.TimeZone != "Asia/Vladivostok" || r.MIS.BaseURL != "http://127.0.0.1:9025" ||
		r.MIS.CallTimeout != 5*time.Second || r.MIS.Retry.RetryAfterCap != 2*time.Second ||
		r.Breaker.ConsecutiveFailures != 5 || r.Breaker.MaxConcurrent != 32 || r.MIS.BearerToken != "token-25" {
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
		"a short key is refused":        {"secrets: {pseudonym_key: env:FED_TEST_SHORT, seal_key: env:FED_TEST_SHORT}\n", "64 hex"},
		"a secret must be given at all": {"listen: x\n", "required"},
		"a key written inline is refused": {"secrets: {pseudonym_key: " + strings.Repeat("ab", 32) + ", seal_key: env:FED_TEST_SHORT}\n",
			"secrets.pseudonym_key: a secret must be a reference"},
		"an MIS token written inline is refused": {"regions: [{code: \"77\", mis: {bearer_token: s3cr3t}}]\n",
			"region 77 bearer token: a secret must be a reference"},
		"a PostgreSQL URL with its password inline is refused": {validKeys + "store: {postgres_url: \"postgres://u:pw@db:5432/f\"}\n",
			"store.postgres_url: it holds a password"},
		"a keyword/value DSN with its password inline is refused, spaces or not": {validKeys + "store: {postgres_url: \"host=db user=app password = s3cret\"}\n",
			"store.postgres_url: it holds a password"},
		"a password in the URL's query is refused": {validKeys + "store: {postgres_url: \"postgres://u@db/f?sslmode=require&password=pw\"}\n",
			"store.postgres_url: it holds a password"},
		"a Kafka password written inline is refused": {validKeys + "kafka: {sasl: {mechanism: SCRAM-SHA-512, username: u, password: pw}}\n",
			"kafka.sasl.password: a secret must be a reference"},
		"Kafka PLAIN without TLS is refused": {validKeys + "kafka: {sasl: {mechanism: PLAIN, username: u, password: env:FED_TEST_SHORT}}\n",
			"needs tls"},
		"a misspelt limit is refused": {"limits: {citizen: {reads: {per_secnd: 1}}}\n", "per_secnd"},
	}
	t.Setenv("FED_TEST_SHORT", "abcd")
	t.Setenv("FED_TEST_KEY", strings.Repeat("ef", 32))
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

// validKeys are secrets that resolve, for cases about something else.
const validKeys = "secrets: {pseudonym_key: env:FED_TEST_KEY, seal_key: env:FED_TEST_KEY}\n"

func TestAPostgresURLWithoutAPasswordMayBeWrittenInline(t *testing.T) {
	cfg := &fileConfig{}
	cfg.Store.PostgresURL = "postgres://federation@db.example:5432/federation?sslmode=verify-full"
	if got, err := cfg.postgresURL(); err != nil || got != cfg.Store.PostgresURL {
		t.Errorf("postgresURL() = %q, %v; want the URL as written", got, err)
	}
}

func TestServeRefusesDevelopmentShortcuts(t *testing.T) {
	const region = "regions:\n  - {code: \"77\", name: M, time_zone: Europe/Moscow, mis: {base_url: %s, bearer_token: %s%s}}\n"
	const auth = "auth: {issuer: https://idp.example, audience: federation}\n"
	const soapRegion = "regions:\n  - {code: \"41\", name: K, time_zone: Asia/Kamchatka, kind: soap, soap: {endpoint: %s, bearer_token: %s}}\n"
	t.Setenv("FED_TEST_TOKEN", "t")
	cases := []struct {
		name, yaml, want string
	}{
		{"the development issuer is the demo's", "auth: {issuer: https://idp.example, audience: federation, dev_issuer: true}\n" +
			fmt.Sprintf(region, "https://mis", "env:FED_TEST_TOKEN", ""), "auth.dev_issuer is for \"federation demo\" only"},
		{"an issuer is required", "auth: {audience: federation}\n" + fmt.Sprintf(region, "https://mis", "env:FED_TEST_TOKEN", ""), "auth.issuer is required"},
		{"an audience is required", "auth: {issuer: https://idp.example}\n" + fmt.Sprintf(region, "https://mis", "env:FED_TEST_TOKEN", ""), "auth.audience is required"},
		{"plain http to a remote MIS is refused", auth + fmt.Sprintf(region, "http://mis.example", "env:FED_TEST_TOKEN", ""),
			"region 77: mis.base_url http://mis.example is plain http to another host"},
		{"an MIS without credentials is refused", auth + fmt.Sprintf(region, "https://mis", `""`, ""),
			"region 77: the MIS needs credentials"},
		{"plain http to an MIS on loopback is allowed", auth + fmt.Sprintf(region, "http://127.0.0.1:9077", "env:FED_TEST_TOKEN", ""), ""},
		{"mutual TLS alone is credentials enough", auth + fmt.Sprintf(region, "https://mis", `""`, ", tls: {cert_file: c.pem, key_file: k.pem}"), ""},
		{"plain http to a remote SOAP MIS is refused", auth + fmt.Sprintf(soapRegion, "http://mis.example/er", "env:FED_TEST_TOKEN"),
			"region 41: soap.endpoint http://mis.example/er is plain http to another host"},
		{"a SOAP MIS without credentials is refused", auth + fmt.Sprintf(soapRegion, "https://mis/er", `""`),
			"region 41: the MIS needs credentials: soap.bearer_token"},
		{"a SOAP MIS over https with its token is fine", auth + fmt.Sprintf(soapRegion, "https://mis/er", "env:FED_TEST_TOKEN"), ""},
		{"plain http to a remote JSON-RPC MIS is refused", auth + strings.ReplaceAll(fmt.Sprintf(soapRegion, "http://mis.example/rpc", "env:FED_TEST_TOKEN"), "soap", "jsonrpc"),
			"region 41: jsonrpc.endpoint http://mis.example/rpc is plain http to another host"},
		{"a JSON-RPC MIS without credentials is refused", auth + strings.ReplaceAll(fmt.Sprintf(soapRegion, "https://mis/rpc", `""`), "soap", "jsonrpc"),
			"region 41: the MIS needs credentials: jsonrpc.bearer_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(c.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := loadConfig(path)
			if err != nil {
				t.Fatal(err)
			}
			err = cfg.checkServe()
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Errorf("checkServe: %v, want %q", err, c.want)
			}
		})
	}
}

func TestServeWarnsAboutAStoreOrKafkaReadableOnTheNetwork(t *testing.T) {
	t.Setenv("PGSSLMODE", "")
	cases := []struct {
		name string
		opts system.Options
		want string
	}{
		{"sslmode=disable to another host", system.Options{PostgresURL: "postgres://u@db.example/f?sslmode=disable"}, "sslmode=disable"},
		{"no sslmode means prefer, which verifies nothing", system.Options{PostgresURL: "host=db.example dbname=f"}, "sslmode=prefer"},
		{"verify-full is quiet", system.Options{PostgresURL: "postgres://u@db.example/f?sslmode=verify-full"}, ""},
		{"a local database is quiet", system.Options{PostgresURL: "postgres://u@127.0.0.1/f?sslmode=disable"}, ""},
		{"a Unix socket is quiet", system.Options{PostgresURL: "host=/run/postgresql dbname=f"}, ""},
		{"plaintext Kafka on another host", system.Options{KafkaBrokers: []string{"kafka-0:9092"}}, "Kafka connections are plaintext"},
		{"Kafka over TLS is quiet", system.Options{KafkaBrokers: []string{"kafka-0:9093"}, KafkaSecurity: kafka.Security{TLS: &tls.Config{}}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := strings.Join(serveWarnings(c.opts), "\n")
			if c.want == "" && got != "" || !strings.Contains(got, c.want) {
				t.Errorf("warnings %q, want %q", got, c.want)
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
	if err := cfg.checkServe(); err != nil {
		t.Errorf("serve refuses the compose config: %v", err)
	}
	opts, err := cfg.options(nil)
	if err != nil {
		t.Fatal(err)
	}
	if opts.PostgresURL == "" || len(opts.KafkaBrokers) == 0 || len(opts.Regions) != 5 || cfg.Tracing.OTLPEndpoint == "" ||
		opts.Issuer != "https://test-idp:9443" || opts.IssuerCAFile == "" || opts.InternalListen != "0.0.0.0:9090" {
		t.Errorf("compose config gives %+v", opts)
	}
	for _, r := range opts.Regions {
		if r.MIS.TLS.CertFile == "" || r.MIS.TLS.CAFile == "" || r.MIS.BearerToken == "" || !strings.HasPrefix(r.MIS.BaseURL, "https://") {
			t.Errorf("region %s reaches its MIS without mutual TLS and a token: %+v", r.Code, r.MIS)
		}
	}
}
