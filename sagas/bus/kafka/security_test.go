package kafka_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/fedhealth/federation/sagas/bus/kafka"
)

func TestSecurityConfigMistakesAreRefused(t *testing.T) {
	cases := []struct {
		name string
		cfg  kafka.SecurityConfig
		want string
	}{
		{"PLAIN without TLS would send the password in clear", kafka.SecurityConfig{SASLMechanism: "PLAIN", Username: "u", Password: "p"}, "needs tls"},
		{"an unknown mechanism is named", kafka.SecurityConfig{SASLMechanism: "GSSAPI", Username: "u", Password: "p"}, `"GSSAPI"`},
		{"SCRAM needs a password", kafka.SecurityConfig{SASLMechanism: "SCRAM-SHA-512", Username: "u"}, "username and a password"},
		{"credentials without a mechanism", kafka.SecurityConfig{Username: "u", Password: "p"}, "without a mechanism"},
		{"a CA file while TLS is off", kafka.SecurityConfig{CAFile: "/ca.pem"}, "tls is off"},
		{"a certificate without its key", kafka.SecurityConfig{TLS: true, CertFile: "/c.pem"}, "go together"},
		{"a CA file that is missing", kafka.SecurityConfig{TLS: true, CAFile: "/nonexistent/ca.pem"}, "ca_file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := kafka.NewSecurity(c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestSecurityConfigBuildsTheMechanismAndTheTLSConfig(t *testing.T) {
	pki := newKafkaPKI(t)
	for _, mech := range []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"} {
		sec, err := kafka.NewSecurity(kafka.SecurityConfig{
			TLS: true, CAFile: pki.caFile, CertFile: pki.clientCert, KeyFile: pki.clientKey, ServerName: "kafka-0",
			SASLMechanism: mech, Username: "federation", Password: "secret",
		})
		if err != nil {
			t.Fatal(err)
		}
		if sec.SASL == nil || sec.SASL.Name() != mech {
			t.Errorf("mechanism %v, want %s", sec.SASL, mech)
		}
		if sec.TLS == nil || sec.TLS.RootCAs == nil || len(sec.TLS.Certificates) != 1 ||
			sec.TLS.ServerName != "kafka-0" || sec.TLS.MinVersion != tls.VersionTLS12 {
			t.Errorf("tls config %+v", sec.TLS)
		}
	}
	plain, err := kafka.NewSecurity(kafka.SecurityConfig{})
	if err != nil || plain.TLS != nil || plain.SASL != nil {
		t.Errorf("the zero config gives %+v, %v; want plaintext", plain, err)
	}
}

// TestEveryClientConnectsOverTLSWithSCRAM runs topic creation, a publisher
// and a consumer-group subscriber against an embedded Kafka-protocol broker
// that accepts only TLS connections authenticated with SCRAM-SHA-512 (a
// real Kafka cluster with TLS is not available here; kfake speaks the same
// protocol). Without the security settings each client fails.
func TestEveryClientConnectsOverTLSWithSCRAM(t *testing.T) {
	pki := newKafkaPKI(t)
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.TLS(pki.serverTLS),
		kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "federation", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	addrs := cluster.ListenAddrs()
	sec, err := kafka.NewSecurity(kafka.SecurityConfig{TLS: true, CAFile: pki.caFile,
		SASLMechanism: "SCRAM-SHA-512", Username: "federation", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	short, stop := context.WithTimeout(ctx, 2*time.Second)
	if err := kafka.EnsureTopics(short, addrs, kafka.Security{}, map[string]int{"plain": 1}, 1); err == nil {
		t.Error("a plaintext admin client created a topic on the TLS-only broker")
	}
	stop()
	if err := kafka.EnsureTopics(ctx, addrs, sec, map[string]int{"secured": 2}, 1); err != nil {
		t.Fatalf("create topics over TLS+SCRAM: %v", err)
	}
	pub, err := kafka.NewPublisher(kafka.PublisherConfig{Brokers: addrs, Security: sec}, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	sub, err := kafka.NewSubscriber(kafka.SubscriberConfig{Brokers: addrs, Security: sec, ConsumerGroup: "g",
		SkipTopicCreation: true}, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	msgs, err := sub.Subscribe(ctx, "secured")
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish("secured", message.NewMessage("m1", []byte("over tls"))); err != nil {
		t.Fatalf("publish over TLS+SCRAM: %v", err)
	}
	select {
	case m := <-msgs:
		m.Ack()
		if string(m.Payload) != "over tls" {
			t.Errorf("payload %q", m.Payload)
		}
	case <-ctx.Done():
		t.Fatal("no message consumed over TLS+SCRAM")
	}
}

// kafkaPKI is a CA, a server TLS config for 127.0.0.1 and a client
// certificate, with the CA and the client's files on disk.
type kafkaPKI struct {
	serverTLS                     *tls.Config
	caFile, clientCert, clientKey string
}

func newKafkaPKI(t *testing.T) kafkaPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, caDER := newCert(t, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	ca, _ := x509.ParseCertificate(caDER)
	srvKey, srvDER := newCert(t, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "kafka"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, ca, caKey)
	cliKey, cliDER := newCert(t, &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "federation"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca, caKey)
	p := kafkaPKI{caFile: filepath.Join(dir, "ca.pem"), clientCert: filepath.Join(dir, "client.pem"), clientKey: filepath.Join(dir, "client.key")}
	writePEMFile(t, p.caFile, "CERTIFICATE", caDER)
	writePEMFile(t, p.clientCert, "CERTIFICATE", cliDER)
	keyDER, _ := x509.MarshalECPrivateKey(cliKey)
	writePEMFile(t, p.clientKey, "EC PRIVATE KEY", keyDER)
	p.serverTLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{srvDER}, PrivateKey: srvKey}}, MinVersion: tls.VersionTLS12}
	return p
}

// newCert makes a key and a certificate from tmpl, signed by parent (self-signed when nil).
func newCert(t *testing.T, tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	return key, der
}

func writePEMFile(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
