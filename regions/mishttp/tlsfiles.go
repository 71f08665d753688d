package mishttp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// TLSFiles names PEM files: a client certificate and key presented to the
// MIS (mutual TLS), and a CA bundle to verify the MIS instead of the system
// pool. Every kind's config has it as its `tls:` section.
type TLSFiles struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	CAFile   string `yaml:"ca_file"`
}

// ClientCertificate reports whether the files present a client certificate.
func (f TLSFiles) ClientCertificate() bool { return f.CertFile != "" }

// Validate reports a certificate named without its key or the other way
// round.
func (f TLSFiles) Validate() error {
	if (f.CertFile == "") != (f.KeyFile == "") {
		return errors.New("tls cert_file and key_file go together")
	}
	return nil
}

// Load reads the files into a TLS configuration (TLS 1.2 at least).
func (f TLSFiles) Load() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if f.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if f.CAFile != "" {
		pem, err := os.ReadFile(f.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("CA file holds no PEM certificate")
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}
