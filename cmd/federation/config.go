package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/fedhealth/federation/broker/web"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	"go.yaml.in/yaml/v3"
)

// fileConfig is the YAML shape of "federation serve --config".
type fileConfig struct {
	Listen string `yaml:"listen"`
	// InternalListen serves /metrics, /healthz and /readyz, never the API;
	// default 127.0.0.1:9090.
	InternalListen string `yaml:"internal_listen"`
	// Pprof serves Go's profiles at /debug/pprof/ on the internal listener.
	Pprof bool `yaml:"pprof"`
	// CallbackListen, when set, serves the regions' status callbacks
	// (POST /api/v1/callbacks/{region}) on a listener of its own, plain
	// HTTP behind the operators' TLS terminator: expose only it to the MIS
	// networks. Empty: the API listener serves them.
	CallbackListen string `yaml:"callback_listen"`
	// Callbacks configures the status callbacks of fhir and soap regions.
	Callbacks struct {
		// Secrets are secret references (env:NAME, file:PATH) of each
		// region's signing secrets (whsec_ base64), by region code. List the
		// new secret beside the old while a region rotates, then remove the
		// old. A region without secrets takes no callbacks.
		Secrets map[string][]string `yaml:"secrets"`
		// ReplayTTL is how long the answer to a webhook-id is kept; default 72h.
		ReplayTTL time.Duration `yaml:"replay_ttl"`
	} `yaml:"callbacks"`
	// TLS, when both files are set, serves the API over TLS.
	TLS struct {
		CertFile string `yaml:"cert_file"`
		KeyFile  string `yaml:"key_file"`
	} `yaml:"tls"`
	DataDir  string `yaml:"data_dir"`
	LogLevel string `yaml:"log_level"`
	// LogFormat is text, json or auto (text on a terminal, else JSON).
	LogFormat string `yaml:"log_format"`
	Store     struct {
		// PostgresURL (a secret reference: env:NAME or file:PATH) selects
		// PostgreSQL; empty uses $DATABASE_URL when set, else SQLite in data_dir.
		PostgresURL    string `yaml:"postgres_url"`
		SkipMigrations bool   `yaml:"skip_migrations"`
	} `yaml:"store"`
	Kafka struct {
		// Brokers of the cluster; empty starts the embedded broker.
		Brokers     []string `yaml:"brokers"`
		Listen      string   `yaml:"embedded_listen"`
		Partitions  int      `yaml:"partitions"`
		Replication int      `yaml:"replication"`
		Namespace   string   `yaml:"namespace"`
		// Consumers per region topic in this instance (group members);
		// default 1, which reads every partition with the same concurrency.
		Consumers int `yaml:"consumers"`
		// SessionTimeout, HeartbeatInterval and RebalanceTimeout of the saga
		// consumer groups (docs/operations.md: instance loss); defaults 6s,
		// 500ms, 6s. The heartbeat must be at most a third of the session.
		SessionTimeout    time.Duration `yaml:"session_timeout"`
		HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
		RebalanceTimeout  time.Duration `yaml:"rebalance_timeout"`
		// TLS and SASL of the connections to brokers (see kafka.SecurityConfig).
		TLS struct {
			Enabled    bool   `yaml:"enabled"`
			CAFile     string `yaml:"ca_file"`
			CertFile   string `yaml:"cert_file"`
			KeyFile    string `yaml:"key_file"`
			ServerName string `yaml:"server_name"`
		} `yaml:"tls"`
		SASL struct {
			Mechanism string `yaml:"mechanism"` // PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
			Username  string `yaml:"username"`
			Password  string `yaml:"password"` // a secret reference
		} `yaml:"sasl"`
	} `yaml:"kafka"`
	Auth struct {
		Issuer   string `yaml:"issuer"`
		Audience string `yaml:"audience"`
		// CAFile (PEM) is the only CA trusted for the issuer's keys, for a
		// private identity provider; default the system pool.
		CAFile string `yaml:"ca_file"`
		// OperatorClaim and RegionClaim name the claims of a regional
		// operator's token (default operator_id and region).
		OperatorClaim string `yaml:"operator_claim"`
		RegionClaim   string `yaml:"region_claim"`
		// AnalystClaim names the claim of a ministry analyst's token
		// (its value the analyst's id); empty means no analysts.
		AnalystClaim string `yaml:"analyst_claim"`
		// DevIssuer is refused: the development identity provider is the
		// demo's ("federation demo"); for a trial of serve, run
		// "federation test-idp" as its own service. The key stays so that
		// the refusal can say so instead of "field not found".
		DevIssuer bool `yaml:"dev_issuer"`
	} `yaml:"auth"`
	// Web is the pages' client at auth.issuer: with client_id set, "/"
	// serves the citizens' and operators' pages, signed in through the
	// authorization-code flow with PKCE; without it only the API serves.
	Web struct {
		OIDC struct {
			ClientID string `yaml:"client_id"`
			// ClientSecretFile holds the client's secret (a file, never the
			// YAML); empty for a public client, PKCE alone.
			ClientSecretFile string `yaml:"client_secret_file"`
			// RedirectURL is this server's /signin/callback as the issuer
			// has it registered.
			RedirectURL string `yaml:"redirect_url"`
		} `yaml:"oidc"`
	} `yaml:"web"`
	// Secrets name files (or environment variables, "env:NAME") holding hex keys.
	Secrets struct {
		PseudonymKey string `yaml:"pseudonym_key"`
		SealKey      string `yaml:"seal_key"`
	} `yaml:"secrets"`
	Tracing struct {
		// OTLPEndpoint (http://collector:4318) receives the traces; empty: none.
		OTLPEndpoint string  `yaml:"otlp_endpoint"`
		SampleRatio  float64 `yaml:"sample_ratio"` // of new traces; default 1
	} `yaml:"tracing"`
	Booking struct {
		Deadline time.Duration `yaml:"deadline"`
		// Deadlines override Deadline by region kind (feed: default 24h).
		Deadlines map[contracts.RegionKind]time.Duration `yaml:"deadlines"`
		// MaxActivePerCitizen caps a citizen's active bookings (default
		// 10; -1: no cap, for load tests).
		MaxActivePerCitizen int `yaml:"max_active_per_citizen"`
	} `yaml:"booking"`
	// IdempotencyTTL is how long a citizen's Idempotency-Key is remembered;
	// default 72h.
	IdempotencyTTL time.Duration `yaml:"idempotency_ttl"`
	// Limits are the API's rate limits and long-poll cap (broker/ratelimit).
	Limits ratelimit.Config `yaml:"limits"`
	// Reconcile schedules serve's reconciliation passes (docs/history.md):
	// Interval for every region the kind of which can be read (absent: 15m;
	// 0s: off), Regions by code (0s: off for that region), Lookback how far
	// back a pass compares (default 168h).
	Reconcile struct {
		Interval *time.Duration           `yaml:"interval"`
		Regions  map[string]time.Duration `yaml:"regions"`
		Lookback time.Duration            `yaml:"lookback"`
	} `yaml:"reconcile"`
	// Probes schedule serve's live conformance probes (docs/operations.md,
	// "Live conformance probes"): Interval for every region (absent: 10m;
	// 0s or off: off), Regions by code (0s or off: off for that region),
	// Timeout of one run of a region (default 2m), Retention of the history
	// of runs (default 2160h, 90 days).
	Probes struct {
		Interval  *probeInterval           `yaml:"interval"`
		Regions   map[string]probeInterval `yaml:"regions"`
		Timeout   time.Duration            `yaml:"timeout"`
		Retention time.Duration            `yaml:"retention"`
	} `yaml:"probes"`
	Regions []regions.Config `yaml:"regions"`
}

// probeInterval is a probe interval in the config: a duration, or "off"
// (the same as 0s).
type probeInterval time.Duration

// UnmarshalYAML reads a duration ("10m") or "off".
func (p *probeInterval) UnmarshalYAML(n *yaml.Node) error {
	if n.Value == "off" {
		*p = 0
		return nil
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: probe interval %q: want a duration (10m) or off", n.Line, n.Value)
	}
	*p = probeInterval(d)
	return nil
}

// probeOptions is the probes section, checked.
func (c *fileConfig) probeOptions() (system.ProbeOptions, error) {
	p := c.Probes
	o := system.ProbeOptions{Timeout: p.Timeout, Retention: p.Retention}
	bad := p.Timeout < 0 || p.Retention < 0
	if p.Interval != nil {
		o.Interval = time.Duration(*p.Interval)
		bad = bad || o.Interval < 0
		if o.Interval == 0 {
			o.Interval = -1 // 0s or off turns the probes off
		}
	}
	for code, d := range p.Regions {
		bad = bad || d < 0 || !slices.ContainsFunc(c.Regions, func(rc regions.Config) bool { return rc.Code == code })
		if o.Regions == nil {
			o.Regions = map[string]time.Duration{}
		}
		o.Regions[code] = time.Duration(d)
	}
	if bad {
		return o, fmt.Errorf("probes: intervals, timeout and retention must not be negative, and regions must name configured regions")
	}
	return o, nil
}

// reconcileOptions is the reconcile section, checked.
func (c *fileConfig) reconcileOptions() (system.ReconcileOptions, error) {
	r := c.Reconcile
	o := system.ReconcileOptions{Regions: r.Regions, Lookback: r.Lookback}
	if r.Interval != nil {
		o.Interval = *r.Interval
		if o.Interval == 0 {
			o.Interval = -1 // 0s in the config turns the passes off
		}
	}
	bad := r.Lookback < 0 || (r.Interval != nil && *r.Interval < 0)
	for code, d := range r.Regions {
		bad = bad || d < 0 || !slices.ContainsFunc(c.Regions, func(rc regions.Config) bool { return rc.Code == code })
	}
	if bad {
		return o, fmt.Errorf("reconcile: intervals and lookback must not be negative, and regions must name configured regions")
	}
	return o, nil
}

func loadConfig(path string) (*fileConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cfg fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if cfg.LogLevel == "" {
		cfg.LogLevel = "info"
	}
	if cfg.InternalListen == "" {
		cfg.InternalListen = "127.0.0.1:9090"
	}
	for i := range cfg.Regions {
		tok, err := secret(cfg.Regions[i].MIS.BearerToken)
		if err != nil {
			return nil, fmt.Errorf("region %s bearer token: %w", cfg.Regions[i].Code, err)
		}
		cfg.Regions[i].MIS.BearerToken = string(tok)
		if tok, err = secret(cfg.Regions[i].SOAP.BearerToken); err != nil {
			return nil, fmt.Errorf("region %s soap bearer token: %w", cfg.Regions[i].Code, err)
		}
		cfg.Regions[i].SOAP.BearerToken = string(tok)
		if tok, err = secret(cfg.Regions[i].JSONRPC.BearerToken); err != nil {
			return nil, fmt.Errorf("region %s jsonrpc bearer token: %w", cfg.Regions[i].Code, err)
		}
		cfg.Regions[i].JSONRPC.BearerToken = string(tok)
		if tok, err = secret(cfg.Regions[i].JSONRPC.RefSecret); err != nil {
			return nil, fmt.Errorf("region %s jsonrpc ref secret: %w", cfg.Regions[i].Code, err)
		}
		cfg.Regions[i].JSONRPC.RefSecret = string(tok)
	}
	if err := cfg.resolveCallbackSecrets(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// resolveCallbackSecrets replaces each callback secret reference by the
// secret it names.
func (c *fileConfig) resolveCallbackSecrets() error {
	for code, refs := range c.Callbacks.Secrets {
		for i, ref := range refs {
			if ref == "" {
				return fmt.Errorf("callbacks.secrets.%s[%d]: empty", code, i)
			}
			v, err := secret(ref)
			if err != nil {
				return fmt.Errorf("callbacks.secrets.%s[%d]: %w", code, i, err)
			}
			refs[i] = strings.TrimSpace(string(v))
		}
	}
	return nil
}

func (c *fileConfig) options(logger *slog.Logger) (system.Options, error) {
	pk, err := hexSecret(c.Secrets.PseudonymKey)
	if err != nil {
		return system.Options{}, fmt.Errorf("secrets.pseudonym_key: %w", err)
	}
	sk, err := hexSecret(c.Secrets.SealKey)
	if err != nil {
		return system.Options{}, fmt.Errorf("secrets.seal_key: %w", err)
	}
	for kind, d := range c.Booking.Deadlines {
		if d <= 0 || !regions.KnownKind(kind) {
			return system.Options{}, fmt.Errorf("booking.deadlines: %s: %v: want a known region kind and a positive duration", kind, d)
		}
	}
	if c.Booking.MaxActivePerCitizen < -1 {
		return system.Options{}, fmt.Errorf("booking.max_active_per_citizen %d: want a positive cap, 0 for the default (10) or -1 for none", c.Booking.MaxActivePerCitizen)
	}
	if c.IdempotencyTTL < 0 {
		return system.Options{}, fmt.Errorf("idempotency_ttl %v must not be negative", c.IdempotencyTTL)
	}
	if c.Callbacks.ReplayTTL < 0 {
		return system.Options{}, fmt.Errorf("callbacks.replay_ttl %v must not be negative", c.Callbacks.ReplayTTL)
	}
	if _, err := system.CallbackRegions(c.Regions, c.Callbacks.Secrets); err != nil {
		return system.Options{}, err
	}
	pg, err := c.postgresURL()
	if err != nil {
		return system.Options{}, fmt.Errorf("store.postgres_url: %w", err)
	}
	kafkaSec, err := c.kafkaSecurity()
	if err != nil {
		return system.Options{}, err
	}
	rec, err := c.reconcileOptions()
	if err != nil {
		return system.Options{}, err
	}
	webOIDC, err := c.webOIDC()
	if err != nil {
		return system.Options{}, err
	}
	probes, err := c.probeOptions()
	if err != nil {
		return system.Options{}, err
	}
	return system.Options{
		Reconcile: rec, WebOIDC: webOIDC, Probes: probes,
		InternalListen: c.InternalListen, Pprof: c.Pprof, TLSCertFile: c.TLS.CertFile, TLSKeyFile: c.TLS.KeyFile,
		IssuerCAFile: c.Auth.CAFile, KafkaSecurity: kafkaSec,
		Listen: c.Listen, DataDir: c.DataDir, PostgresURL: pg, SkipMigrations: c.Store.SkipMigrations, KafkaBrokers: c.Kafka.Brokers, EmbeddedKafkaListen: c.Kafka.Listen,
		Partitions: c.Kafka.Partitions, Replication: c.Kafka.Replication, KafkaNamespace: c.Kafka.Namespace, Consumers: c.Kafka.Consumers, Regions: c.Regions,
		SessionTimeout: c.Kafka.SessionTimeout, HeartbeatInterval: c.Kafka.HeartbeatInterval, RebalanceTimeout: c.Kafka.RebalanceTimeout,
		Issuer: c.Auth.Issuer, Audience: c.Auth.Audience, OperatorClaim: c.Auth.OperatorClaim, RegionClaim: c.Auth.RegionClaim, AnalystClaim: c.Auth.AnalystClaim,
		PseudonymKey: pk, SealKey: sk, BookingDeadline: c.Booking.Deadline, KindDeadlines: c.Booking.Deadlines, Logger: logger,
		IdempotencyTTL: c.IdempotencyTTL, Limits: c.Limits, MaxActivePerCitizen: c.Booking.MaxActivePerCitizen,
		CallbackListen: c.CallbackListen, CallbackSecrets: c.Callbacks.Secrets, CallbackReplayTTL: c.Callbacks.ReplayTTL,
	}, nil
}

// webOIDC is the pages' OIDC client, nil when web.oidc.client_id is not
// set.
func (c *fileConfig) webOIDC() (*web.OIDCConfig, error) {
	o := c.Web.OIDC
	if o.ClientID == "" {
		if o.RedirectURL != "" || o.ClientSecretFile != "" {
			return nil, errors.New("web.oidc: client_id is required with redirect_url or client_secret_file")
		}
		return nil, nil
	}
	if o.RedirectURL == "" {
		return nil, errors.New("web.oidc.redirect_url is required: this server's /signin/callback as the issuer knows it")
	}
	cfg := &web.OIDCConfig{ClientID: o.ClientID, RedirectURL: o.RedirectURL}
	if o.ClientSecretFile != "" {
		b, err := os.ReadFile(o.ClientSecretFile)
		if err != nil {
			return nil, fmt.Errorf("web.oidc.client_secret_file: %w", err)
		}
		cfg.ClientSecret = string(bytes.TrimSpace(b))
	}
	return cfg, nil
}

// secret resolves a secret reference: "env:NAME" reads an environment
// variable, "file:PATH" a file; "" is no secret. A secret written into the
// YAML itself is refused: configs are copied, diffed and committed, and a
// token there leaks with them. Secrets are never logged.
func secret(ref string) ([]byte, error) {
	switch {
	case strings.HasPrefix(ref, "env:"):
		v, ok := os.LookupEnv(strings.TrimPrefix(ref, "env:"))
		if !ok {
			return nil, fmt.Errorf("environment variable %s is not set", strings.TrimPrefix(ref, "env:"))
		}
		return []byte(v), nil
	case strings.HasPrefix(ref, "file:"):
		b, err := os.ReadFile(strings.TrimPrefix(ref, "file:"))
		return bytes.TrimSpace(b), err
	case ref == "":
		return nil, nil
	}
	return nil, errInlineSecret
}

var errInlineSecret = errors.New("a secret must be a reference (env:NAME or file:PATH), not the value itself")

func hexSecret(ref string) ([]byte, error) {
	if ref == "" {
		return nil, fmt.Errorf("required (env:NAME or file:PATH holding 64 hex characters)")
	}
	raw, err := secret(ref)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(string(raw))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("must be 64 hex characters (32 bytes)")
	}
	return key, nil
}

// postgresURL resolves the store's URL: the config's reference, else the
// DATABASE_URL environment variable, else none (SQLite). A URL written
// into the YAML is accepted only without a password.
func (c *fileConfig) postgresURL() (string, error) {
	ref := c.Store.PostgresURL
	switch {
	case ref == "":
		return os.Getenv("DATABASE_URL"), nil
	case strings.HasPrefix(ref, "env:"), strings.HasPrefix(ref, "file:"):
		v, err := secret(ref)
		return string(v), err
	case hasPassword(ref):
		return "", fmt.Errorf("it holds a password: %w", errInlineSecret)
	}
	return ref, nil
}

// hasPassword reports whether a PostgreSQL URL or keyword/value string
// carries a password.
func hasPassword(dsn string) bool {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return true
		}
	}
	// A URL's query (?password=…) or libpq's keyword/value form, which
	// allows spaces around "=".
	return dsnPassword.MatchString(dsn)
}

// dsnPassword finds a password parameter in either form of a PostgreSQL DSN.
var dsnPassword = regexp.MustCompile(`(?i)(^|[\s?&])password\s*=`)

// kafkaSecurity builds the Kafka clients' TLS and SASL settings.
func (c *fileConfig) kafkaSecurity() (kafka.Security, error) {
	k := c.Kafka
	password, err := secret(k.SASL.Password)
	if err != nil {
		return kafka.Security{}, fmt.Errorf("kafka.sasl.password: %w", err)
	}
	return kafka.NewSecurity(kafka.SecurityConfig{
		TLS: k.TLS.Enabled, CAFile: k.TLS.CAFile, CertFile: k.TLS.CertFile, KeyFile: k.TLS.KeyFile, ServerName: k.TLS.ServerName,
		SASLMechanism: k.SASL.Mechanism, Username: k.SASL.Username, Password: string(password),
	})
}
