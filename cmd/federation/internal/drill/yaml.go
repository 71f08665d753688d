package drill

import (
	"cmp"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
)

// regionEntry is one region of the broker's registry: Kind names the
// section its endpoint goes in (mis: for fhir, soap:, jsonrpc:, feed:).
type regionEntry struct{ Code, Name, TimeZone, URL, Kind string }

// configData is what the broker's YAML config says.
type configData struct {
	Listen, DataDir, KafkaListen string
	Brokers                      []string
	Namespace                    string
	Issuer                       string // the drill's identity provider
	Postgres                     bool
	Deadline                     time.Duration
	Regions                      []regionEntry
	Consumers                    int // per region topic; 4 partitions
	CallTimeout                  time.Duration
	Places                       int // breaker max_concurrent
}

// renderConfig writes the "federation serve" YAML (see
// deploy/federation.example.yaml). MIS calls time out after a second and
// breakers probe again after one, so that faults show and heal quickly.
func renderConfig(d configData) string {
	var b strings.Builder
	// A free port for the monitoring listener too: the instance-kill drill
	// runs two brokers on this host, and serve's default port is fixed.
	fmt.Fprintf(&b, "listen: %s\ninternal_listen: 127.0.0.1:0\ndata_dir: %q\nlog_level: warn\n", d.Listen, d.DataDir)
	// Replication is the cluster's default: 3 on the three-node drill cluster.
	fmt.Fprintf(&b, "kafka:\n  partitions: 4\n  consumers: %d\n", cmp.Or(d.Consumers, 4))
	if len(d.Brokers) > 0 {
		fmt.Fprintf(&b, "  brokers: [%s]\n  namespace: %q\n", strings.Join(d.Brokers, ", "), d.Namespace)
	} else {
		fmt.Fprintf(&b, "  embedded_listen: %s\n", d.KafkaListen)
	}
	// The operator claim is the dev issuer's: the feed regions' operator
	// bot signs its tokens there (operatorBot).
	fmt.Fprintf(&b, "auth:\n  issuer: %q\n  audience: federation\n  operator_claim: %s\n", d.Issuer, auth.DefaultOperatorClaim)
	b.WriteString("secrets:\n  pseudonym_key: env:FEDERATION_PSEUDONYM_KEY\n  seal_key: env:FEDERATION_SEAL_KEY\n")
	if d.Postgres {
		b.WriteString("store:\n  postgres_url: env:FEDERATION_DRILL_DATABASE_URL\n")
	}
	// Every drill citizen comes from one loopback address: lift its budget.
	b.WriteString("limits:\n  address: {reads: {per_second: 100000, burst: 100000}, writes: {per_second: 100000, burst: 100000}}\n")
	fmt.Fprintf(&b, "booking:\n  deadline: %s\nregions:\n", d.Deadline)
	for _, r := range d.Regions {
		fmt.Fprintf(&b, "  - code: %q\n    name: %q\n    time_zone: %s\n", r.Code, r.Name, r.TimeZone)
		writeEndpoint(&b, r, cmp.Or(d.CallTimeout, time.Second))
		places := cmp.Or(d.Places, 32)
		if r.Kind == string(contracts.RegionSOAP) {
			// A SOAP booking takes three MIS calls (GetPatientInfo and
			// CreateAppointment for the hold, the read-back for the book),
			// the other kinds two: the same share of the budget needs more.
			places = places * 3 / 2
		}
		fmt.Fprintf(&b, "    breaker: {consecutive_failures: 5, open_timeout: 1s, half_open_max_requests: 1, max_concurrent: %d}\n", places)
	}
	return b.String()
}

// writeEndpoint writes the region's kind and the section of its kind:
// the MIS's URL, the token the simulators ignore, the call timeout and
// one retry of what may be retried.
func writeEndpoint(b *strings.Builder, r regionEntry, callTimeout time.Duration) {
	switch r.Kind {
	case string(contracts.RegionFeed):
		// Polled every second and stale after three missed polls, so that
		// a publisher's fault shows within the drill.
		fmt.Fprintf(b, "    kind: feed\n    feed:\n      base_url: %s\n      poll_interval: 1s\n      timeout: %s\n", r.URL, callTimeout)
	case string(contracts.RegionSOAP), string(contracts.RegionJSONRPC):
		fmt.Fprintf(b, "    kind: %s\n    %s:\n      endpoint: %s/\n      bearer_token: env:FEDERATION_DRILL_MIS_TOKEN\n      call_timeout: %s\n", r.Kind, r.Kind, r.URL, callTimeout)
		b.WriteString("      read_attempts: 2\n      retry_wait_min: 20ms\n      retry_wait_max: 200ms\n")
	default:
		fmt.Fprintf(b, "    mis:\n      base_url: %s\n      bearer_token: env:FEDERATION_DRILL_MIS_TOKEN\n      call_timeout: %s\n", r.URL, callTimeout)
		b.WriteString("      retry: {max_attempts: 2, wait_min: 20ms, wait_max: 200ms, retry_after_cap: 1s}\n")
	}
}

// freeAddr finds a free loopback port. Another process could take it before
// the broker binds it; on a test machine that is rare enough.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("drill: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
