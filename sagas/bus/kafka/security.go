package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// SecurityConfig describes how this process connects to the Kafka cluster:
// TLS (optionally with a client certificate) and SASL authentication. The
// zero value is plaintext without authentication, which only the embedded
// broker and a private test network should see.
type SecurityConfig struct {
	// TLS encrypts every connection. CAFile (PEM) replaces the system pool
	// for verifying the brokers; CertFile and KeyFile (PEM, together)
	// present a client certificate (mutual TLS). ServerName overrides the
	// name verified in the brokers' certificates (default: the host dialled).
	TLS        bool
	CAFile     string
	CertFile   string
	KeyFile    string
	ServerName string
	// SASLMechanism is "" (none), "PLAIN", "SCRAM-SHA-256" or
	// "SCRAM-SHA-512"; Username and Password are its credentials (Password
	// is a secret the caller has already resolved: never logged). PLAIN
	// sends the password as is, so it is refused without TLS.
	SASLMechanism string
	Username      string
	Password      string
}

// Security is a built SecurityConfig: what every Kafka client of this
// package (readers, writers, admin clients) connects with. The zero value
// is plaintext without authentication.
type Security struct {
	// TLS is nil for plaintext.
	TLS *tls.Config
	// SASL is nil without authentication.
	SASL sasl.Mechanism
}

// NewSecurity checks c, loads its files and builds the SASL mechanism.
func NewSecurity(c SecurityConfig) (Security, error) {
	if err := c.Validate(); err != nil {
		return Security{}, err
	}
	var s Security
	if c.TLS {
		cfg, err := c.tlsConfig()
		if err != nil {
			return Security{}, err
		}
		s.TLS = cfg
	}
	mech, err := c.mechanism()
	if err != nil {
		return Security{}, err
	}
	s.SASL = mech
	return s, nil
}

// Validate reports settings that cannot work together.
func (c SecurityConfig) Validate() error {
	var errs []error
	if !c.TLS && (c.CAFile != "" || c.CertFile != "" || c.KeyFile != "" || c.ServerName != "") {
		errs = append(errs, errors.New("kafka tls files or server name given, but tls is off"))
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		errs = append(errs, errors.New("kafka tls cert_file and key_file go together"))
	}
	switch c.SASLMechanism {
	case "":
		if c.Username != "" || c.Password != "" {
			errs = append(errs, errors.New("kafka sasl credentials given without a mechanism"))
		}
	case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		if c.Username == "" || c.Password == "" {
			errs = append(errs, fmt.Errorf("kafka sasl %s needs a username and a password", c.SASLMechanism))
		}
		if c.SASLMechanism == "PLAIN" && !c.TLS {
			errs = append(errs, errors.New("kafka sasl PLAIN sends the password in clear: it needs tls"))
		}
	default:
		errs = append(errs, fmt.Errorf("kafka sasl mechanism %q is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", c.SASLMechanism))
	}
	return errors.Join(errs...)
}

func (c SecurityConfig) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("kafka tls ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kafka tls ca_file %s holds no PEM certificate", c.CAFile)
		}
		cfg.RootCAs = pool
	}
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("kafka tls client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

func (c SecurityConfig) mechanism() (sasl.Mechanism, error) {
	switch c.SASLMechanism {
	case "PLAIN":
		return plain.Mechanism{Username: c.Username, Password: c.Password}, nil
	case "SCRAM-SHA-256", "SCRAM-SHA-512":
		algo := scram.SHA512
		if c.SASLMechanism == "SCRAM-SHA-256" {
			algo = scram.SHA256
		}
		m, err := scram.Mechanism(algo, c.Username, c.Password)
		if err != nil {
			return nil, fmt.Errorf("kafka sasl %s: %w", c.SASLMechanism, err)
		}
		return m, nil
	}
	return nil, nil
}

// dialer is what readers connect with.
func (s Security) dialer() *kafka.Dialer {
	// kafka-go's DefaultDialer settings, plus ours.
	return &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true, TLS: s.TLS, SASLMechanism: s.SASL}
}

// transport is what writers and admin clients connect with; a new one
// each time, so that its owner can close its connections.
func (s Security) transport() *kafka.Transport {
	return &kafka.Transport{TLS: s.TLS, SASL: s.SASL}
}
