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
	"strings"
	"time"

	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
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
		// Consumers per region topic in this instance; default partitions.
		// With several instances, partitions / instances spreads them.
		Consumers int `yaml:"consumers"`
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
		// DevIssuer is refused: the development identity provider is the
		// demo's ("federation demo"); for a trial of serve, run
		// "federation test-idp" as its own service. The key stays so that
		// the refusal can say so instead of "field not found".
		DevIssuer bool `yaml:"dev_issuer"`
	} `yaml:"auth"`
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
	} `yaml:"booking"`
	// IdempotencyTTL is how long a citizen's Idempotency-Key is remembered;
	// default 72h.
	IdempotencyTTL time.Duration `yaml:"idempotency_ttl"`
	// Limits are the API's rate limits and long-poll cap (broker/ratelimit).
	Limits  ratelimit.Config `yaml:"limits"`
	Regions []regions.Config `yaml:"regions"`
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
	return &cfg, nil
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
	if c.IdempotencyTTL < 0 {
		return system.Options{}, fmt.Errorf("idempotency_ttl %v must not be negative", c.IdempotencyTTL)
	}
	pg, err := c.postgresURL()
	if err != nil {
		return system.Options{}, fmt.Errorf("store.postgres_url: %w", err)
	}
	kafkaSec, err := c.kafkaSecurity()
	if err != nil {
		return system.Options{}, err
	}
	return system.Options{
		InternalListen: c.InternalListen, TLSCertFile: c.TLS.CertFile, TLSKeyFile: c.TLS.KeyFile,
		IssuerCAFile: c.Auth.CAFile, KafkaSecurity: kafkaSec,
		Listen: c.Listen, DataDir: c.DataDir, PostgresURL: pg, SkipMigrations: c.Store.SkipMigrations, KafkaBrokers: c.Kafka.Brokers, EmbeddedKafkaListen: c.Kafka.Listen,
		Partitions: c.Kafka.Partitions, Replication: c.Kafka.Replication, KafkaNamespace: c.Kafka.Namespace, Consumers: c.Kafka.Consumers, Regions: c.Regions,
		Issuer: c.Auth.Issuer, Audience: c.Auth.Audience,
		PseudonymKey: pk, SealKey: sk, BookingDeadline: c.Booking.Deadline, Logger: logger,
		IdempotencyTTL: c.IdempotencyTTL, Limits: c.Limits,
	}, nil
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
