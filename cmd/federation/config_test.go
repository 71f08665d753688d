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
	t.Setenv("MIS_TOKEN_16", "token-16")
	t.Setenv("MIS_TOKEN_50", "token-50")
	t.Setenv("MIS_REF_SECRET_50", "ref-50")
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
	if opts.Listen != "127.0.0.1:8080" || opts.InternalListen != "127.0.0.1:9090" || opts.Partitions != 0 || opts.DevIssuer ||
		opts.Issuer != "http://127.0.0.1:9400" || opts.Audience != "federation" || opts.BookingDeadline != 2*time.Minute ||
		len(opts.PseudonymKey) != 32 || len(opts.SealKey) != 32 || len(opts.KafkaBrokers) != 0 {
		t.Errorf("options %+v", opts)
	}
	if len(opts.Regions) != 5 {
		t.Fatalf("%d regions, want 5", len(opts.Regions))
	}
	if s := opts.Regions[3]; s.Kind != "soap" || s.SOAP.Endpoint != "http://127.0.0.1:9016/" || s.SOAP.BearerToken != "token-16" || s.SOAP.ReadAttempts != 3 {
		t.Errorf("the soap region parsed as %+v", s)
	}
	if j := opts.Regions[4]; j.Kind != "jsonrpc" || j.JSONRPC.Endpoint != "http://127.0.0.1:9050/rpc" || j.JSONRPC.BearerToken != "token-50" || j.JSONRPC.RefSecret != "ref-50" {
		t.Errorf("the jsonrpc region parsed as %+v", j)
	}
	if f := opts.Regions[2]; f.Kind != "feed" || f.Feed.BaseURL != "http://127.0.0.1:9027" || f.Feed.PollInterval != 2*time.Minute ||
		f.Feed.StaleAfter != 6*time.Minute || opts.KindDeadlines["feed"] != 24*time.Hour ||
		opts.OperatorClaim != "" || opts.RegionClaim != "" { // operators off: the example leaves them commented
		t.Errorf("the feed region parsed as %+v, kind deadlines %v, operator claims %q %q", f, opts.KindDeadlines, opts.OperatorClaim, opts.RegionClaim)
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
	if p := opts.Probes; p.Interval != 10*time.Minute || len(p.Regions) != 0 || p.Timeout != 2*time.Minute || p.Retention != 90*24*time.Hour {
		t.Errorf("probes parsed as %+v", p)
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

func TestProbeIntervalsTurnOffWithOffOrZero(t *testing.T) {
	t.Setenv("FED_TEST_KEY", strings.Repeat("ab", 32))
	for _, c := range []struct {
		name, yaml string
		want       system.ProbeOptions
	}{
		{"absent: the default", "", system.ProbeOptions{}},
		{"off: no region probed", "probes: {interval: \"off\"}\n", system.ProbeOptions{Interval: -1}},
		{"0s: no region probed", "probes: {interval: 0s}\n", system.ProbeOptions{Interval: -1}},
		{"one region off, another faster", "probes: {interval: 1m, regions: {\"77\": \"off\", \"25\": 30s}, timeout: 20s, retention: 24h}\n",
			system.ProbeOptions{Interval: time.Minute, Regions: map[string]time.Duration{"77": 0, "25": 30 * time.Second},
				Timeout: 20 * time.Second, Retention: 24 * time.Hour}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			regions := "regions: [{code: \"77\", name: M, time_zone: Europe/Moscow}, {code: \"25\", name: P, time_zone: Asia/Vladivostok}]\n"
			if err := os.WriteFile(path, []byte(validKeys+regions+c.yaml), 0o600); err != nil {
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
			if fmt.Sprint(opts.Probes) != fmt.Sprint(c.want) {
				t.Errorf("probes %+v, want %+v", opts.Probes, c.want)
			}
		})
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
		"a probe interval that is neither a duration nor off is refused": {validKeys + "probes: {interval: never}\n",
			`probe interval "never": want a duration (10m) or off`},
		"probes of a region not configured are refused": {validKeys + "probes: {regions: {\"99\": 5m}}\n",
			"regions must name configured regions"},
		"a negative probe retention is refused": {validKeys + "probes: {retention: -1h}\n", "must not be negative"},
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
		{"mutual TLS alone is credentials enough for a SOAP MIS", auth + "regions:\n  - {code: \"41\", name: K, time_zone: Asia/Kamchatka, kind: soap, soap: {endpoint: https://mis/er, tls: {cert_file: c.pem, key_file: k.pem}}}\n", ""},
		{"mutual TLS alone is credentials enough for a JSON-RPC MIS", auth + "regions:\n  - {code: \"41\", name: K, time_zone: Asia/Kamchatka, kind: jsonrpc, jsonrpc: {endpoint: https://mis/rpc, tls: {cert_file: c.pem, key_file: k.pem}}}\n", ""},
		{"a SOAP MIS over https with its token is fine", auth + fmt.Sprintf(soapRegion, "https://mis/er", "env:FED_TEST_TOKEN"), ""},
		{"plain http to a remote JSON-RPC MIS is refused", auth + strings.ReplaceAll(fmt.Sprintf(soapRegion, "http://mis.example/rpc", "env:FED_TEST_TOKEN"), "soap", "jsonrpc"),
			"region 41: jsonrpc.endpoint http://mis.example/rpc is plain http to another host"},
		{"plain http to a remote feed is refused", auth + "regions:\n  - {code: \"27\", name: K, time_zone: Asia/Vladivostok, kind: feed, feed: {base_url: http://feeds.example/27}}\n",
			"region 27: feed.base_url http://feeds.example/27 is plain http to another host"},
		{"a feed over https needs no credentials", auth + "regions:\n  - {code: \"27\", name: K, time_zone: Asia/Vladivostok, kind: feed, feed: {base_url: https://feeds.example/27}}\n", ""},
		{"a feed on loopback may be plain http", auth + "regions:\n  - {code: \"27\", name: K, time_zone: Asia/Vladivostok, kind: feed, feed: {base_url: http://127.0.0.1:9027}}\n", ""},
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

func TestBookingDeadlinesByKindMustNameAKindAndBePositive(t *testing.T) {
	t.Setenv("FED_TEST_KEY", strings.Repeat("ab", 32))
	for yaml, ok := range map[string]bool{
		"booking: {deadlines: {feed: 12h}}\n":     true,
		"booking: {deadlines: {feed: 0s}}\n":      false,
		"booking: {deadlines: {telegraph: 1h}}\n": false,
	} {
		path := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(path, []byte(validKeys+yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig(path)
		if err != nil {
			t.Fatal(err)
		}
		opts, err := cfg.options(nil)
		if (err == nil) != ok {
			t.Errorf("%s: %v", strings.TrimSpace(yaml), err)
		}
		if ok && opts.KindDeadlines["feed"] != 12*time.Hour {
			t.Errorf("%s: deadlines %v", strings.TrimSpace(yaml), opts.KindDeadlines)
		}
	}
}

func TestTheCapOnActiveBookingsComesFromTheYAML(t *testing.T) {
	t.Setenv("FED_TEST_KEY", strings.Repeat("ab", 32))
	for yaml, want := range map[string]int{
		"":                                       0, // the service's default, 10
		"booking: {max_active_per_citizen: 3}\n": 3,
		"booking: {max_active_per_citizen: -1}\n": -1, // no cap
		"booking: {max_active_per_citizen: -2}\n": -2, // refused
	} {
		path := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(path, []byte(validKeys+yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig(path)
		if err != nil {
			t.Fatal(err)
		}
		opts, err := cfg.options(nil)
		switch {
		case want < -1 && err == nil:
			t.Errorf("%q: accepted, want the mistake reported", yaml)
		case want >= -1 && (err != nil || opts.MaxActivePerCitizen != want):
			t.Errorf("%q: cap %d, %v; want %d", yaml, opts.MaxActivePerCitizen, err, want)
		}
	}
}

func TestCallbackSecretsAndTheirListenerComeFromTheYAML(t *testing.T) {
	t.Setenv("FED_TEST_KEY", strings.Repeat("ab", 32))
	t.Setenv("FED_CB_OLD", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	t.Setenv("FED_CB_NEW", "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD\n")
	t.Setenv("FED_CB_BAD", "not-a-secret")
	regionsYAML := "regions:\n  - {code: \"77\", mis: {base_url: \"http://127.0.0.1:1\"}}\n" +
		"  - {code: \"16\", kind: soap, soap: {endpoint: \"http://127.0.0.1:2/\"}}\n" +
		"  - {code: \"50\", kind: jsonrpc, jsonrpc: {endpoint: \"http://127.0.0.1:3/rpc\"}}\n"
	cases := []struct {
		name, yaml, wantErr string
	}{
		{"secrets of fhir and soap regions and the listener are read", "callback_listen: 127.0.0.1:0\ncallbacks: {replay_ttl: 24h, secrets: {\"77\": [env:FED_CB_OLD, env:FED_CB_NEW], \"16\": [env:FED_CB_NEW]}}\n", ""},
		{"a secret written inline is refused", "callbacks: {secrets: {\"77\": [whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw]}}\n", "a secret must be a reference"},
		{"a malformed secret is refused without quoting it", "callbacks: {secrets: {\"77\": [env:FED_CB_BAD]}}\n", "not whsec_"},
		{"a jsonrpc region takes no callbacks", "callbacks: {secrets: {\"50\": [env:FED_CB_OLD]}}\n", "sends no callbacks"},
		{"an unknown region is refused", "callbacks: {secrets: {\"99\": [env:FED_CB_OLD]}}\n", "not configured"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(validKeys+regionsYAML+c.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := loadConfig(path)
			var opts system.Options
			if err == nil {
				opts, err = cfg.options(nil)
			}
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || strings.Contains(err.Error(), "not-a-secret") {
					t.Errorf("error %v, want one naming %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if opts.CallbackListen != "127.0.0.1:0" || opts.CallbackReplayTTL != 24*time.Hour || len(opts.CallbackSecrets["77"]) != 2 ||
				opts.CallbackSecrets["77"][1] != "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD" || len(opts.CallbackSecrets["16"]) != 1 {
				t.Errorf("options: listen %q ttl %v secrets %d", opts.CallbackListen, opts.CallbackReplayTTL, len(opts.CallbackSecrets))
			}
		})
	}
}

func TestThePagesOIDCClientComesFromTheYAML(t *testing.T) {
	t.Setenv("FED_TEST_KEY", strings.Repeat("ab", 32))
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "web-secret")
	if err := os.WriteFile(secretFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, yaml string
		ok         bool
		client     string
	}{
		{"without web.oidc only the API serves", "", true, ""},
		{"a confidential client reads its secret from the file",
			"web: {oidc: {client_id: web, client_secret_file: " + secretFile + ", redirect_url: https://b.example/signin/callback}}\n", true, "web"},
		{"a client needs its redirect URL", "web: {oidc: {client_id: web}}\n", false, ""},
		{"a redirect URL without a client is a mistake", "web: {oidc: {redirect_url: https://b.example/signin/callback}}\n", false, ""},
		{"a missing secret file is reported",
			"web: {oidc: {client_id: web, client_secret_file: " + filepath.Join(dir, "none") + ", redirect_url: https://b.example/cb}}\n", false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(validKeys+c.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := loadConfig(path)
			if err != nil {
				t.Fatal(err)
			}
			opts, err := cfg.options(nil)
			switch {
			case !c.ok:
				if err == nil {
					t.Error("accepted, want the mistake reported")
				}
			case err != nil:
				t.Fatal(err)
			case c.client == "" && opts.WebOIDC != nil:
				t.Errorf("WebOIDC %+v, want none", opts.WebOIDC)
			case c.client != "" && (opts.WebOIDC == nil || opts.WebOIDC.ClientID != c.client || opts.WebOIDC.ClientSecret != "s3cret"):
				t.Errorf("WebOIDC %+v, want client %s with the file's secret", opts.WebOIDC, c.client)
			}
		})
	}
}

func TestTheConsumerGroupTimingsComeFromTheYAML(t *testing.T) {
	t.Setenv("FED_TEST_KEY", strings.Repeat("ab", 32))
	path := filepath.Join(t.TempDir(), "c.yaml")
	yaml := "kafka: {session_timeout: 8s, heartbeat_interval: 1s, rebalance_timeout: 5s}\n"
	if err := os.WriteFile(path, []byte(validKeys+yaml), 0o600); err != nil {
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
	if opts.SessionTimeout != 8*time.Second || opts.HeartbeatInterval != time.Second || opts.RebalanceTimeout != 5*time.Second {
		t.Errorf("session %s, heartbeat %s, rebalance %s; want 8s, 1s, 5s", opts.SessionTimeout, opts.HeartbeatInterval, opts.RebalanceTimeout)
	}
}
