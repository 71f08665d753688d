package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestMetricNames(t *testing.T) {
	tests := []struct {
		name, expr string
		want       []string
	}{
		{"a quantile over a histogram names only the bucket series",
			`histogram_quantile(0.99, sum by (le, region) (rate(fed_mis_call_duration_seconds_bucket{region=~"$region"}[$__rate_interval])))`,
			[]string{"fed_mis_call_duration_seconds_bucket"}},
		{"a ratio names both sides and no label",
			`sum by (region) (rate(a_total{outcome!~"refused|not_found"}[5m])) / sum by (region) (rate(b_count[5m]))`,
			[]string{"a_total", "b_count"}},
		{"a label_values definition names its metric, not its label",
			`label_values(fed_region_breaker_state, region)`, []string{"fed_region_breaker_state"}},
		{"a bare selector with an offset names the metric only", `up offset 5m`, []string{"up"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := metricNames(tt.expr); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("metricNames(%q) = %v, want %v", tt.expr, got, tt.want)
			}
		})
	}
}

func TestCheckDockerfile(t *testing.T) {
	tests := []struct {
		name, body string
		ok         bool
	}{
		{"a final stage with a non-root user passes", "FROM a AS b\nUSER root\nFROM c\nUSER nonroot:nonroot\nENTRYPOINT [\"/x\"]\n", true},
		{"a non-root user only in an earlier stage fails", "FROM a\nUSER nonroot\nFROM c\nENTRYPOINT [\"/x\"]\n", false},
		{"uid 0 fails", "FROM c\nUSER 0:0\nENTRYPOINT [\"/x\"]\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "Dockerfile")
			if err := os.WriteFile(path, []byte(tt.body), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := checkDockerfile(path); (err == nil) != tt.ok {
				t.Errorf("checkDockerfile = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestCheckDashboardRejectsAMetricTheBrokerDoesNotExport(t *testing.T) {
	dir := t.TempDir()
	dash := filepath.Join(dir, "d.json")
	sample := filepath.Join(dir, "m.txt")
	write(t, dash, `{"panels":[{"targets":[{"expr":"rate(federation_bookings_total[5m]) + rate(renamed_total[5m])"}]}]}`)
	write(t, sample, "# TYPE federation_bookings_total counter\nfederation_bookings_total{region=\"77\"} 1\n")
	err := checkDashboard(dash, sample)
	if err == nil || !strings.Contains(err.Error(), "renamed_total") || strings.Contains(err.Error(), "metric federation_bookings_total") {
		t.Fatalf("checkDashboard = %v, want an error naming renamed_total only", err)
	}
}

func TestRealDeployFilesPass(t *testing.T) {
	if err := run([]string{"-deploy", ".."}, new(strings.Builder)); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCheckCertsNamesACertificateCertsShDoesNotWrite(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "certs.sh"), "issue lb \"DNS:lb\" serverAuth\ncat a b >\"$out/lb.pem\"\n")
	write(t, filepath.Join(dir, "compose.yaml"), "x: /certs/lb.pem /certs/ca.crt /certs/lb.key\n")
	write(t, filepath.Join(dir, "federation.yaml"), "tls: {cert_file: /certs/broker.crt}\n")
	write(t, filepath.Join(dir, "haproxy.cfg"), "")
	write(t, filepath.Join(dir, "mis-gateway.cfg"), "")
	err := checkCerts(dir)
	if err == nil || !strings.Contains(err.Error(), "federation.yaml uses /certs/broker.crt") || strings.Contains(err.Error(), "lb.") {
		t.Fatalf("checkCerts = %v, want an error naming broker.crt only", err)
	}
}
