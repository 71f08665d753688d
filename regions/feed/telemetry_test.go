package feed_test

import (
	"context"
	"errors"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/feed"
	"github.com/fedhealth/federation/regions/missim/feedsim"
)

func TestSyncsSkipsSlotsAndAgeAreExportedPerRegion(t *testing.T) {
	sim, base := startSim(t)
	reader := sdkmetric.NewManualReader()
	clk := clockAt(time.Now())
	src := newSource(t, base, clk, func(c *feed.Config) { c.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)) })
	setFaults(t, sim, feedsim.Faults{BrokenLineRate: 0.05})
	mustSync(t, src)
	clk.Advance(90 * time.Second)
	mustSync(t, src) // 304
	setFaults(t, sim, feedsim.Faults{BrokenLineRate: 0.05, Down: true})
	_ = src.Sync(context.Background())

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					if r, _ := p.Attributes.Value("region"); r.AsString() != "25" {
						t.Fatalf("%s without its region", m.Name)
					}
					o, _ := p.Attributes.Value("outcome")
					got[m.Name+"/"+o.AsString()] += float64(p.Value)
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					s, _ := p.Attributes.Value("status")
					got[m.Name+"/"+s.AsString()] = float64(p.Value)
				}
			case metricdata.Gauge[float64]:
				got[m.Name] = d.DataPoints[0].Value
			}
		}
	}
	_, broken := sim.Version()
	want := map[string]float64{
		"feed.syncs/ok": 1, "feed.syncs/not_modified": 1, "feed.syncs/unavailable": 1,
		"feed.lines.skipped/": float64(broken), "feed.sync.age": 0,
		"feed.slots.known/free": float64(src.Status().FreeSlots),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
}

func TestAConfigThatCannotWorkIsRefused(t *testing.T) {
	good := feed.Config{Region: contracts.Region{Code: "25", TimeZone: vladivostok}, BaseURL: "https://feed.example/clinic"}
	for name, edit := range map[string]func(*feed.Config){
		"a base URL with credentials":    func(c *feed.Config) { c.BaseURL = "https://u:p@feed.example" },
		"a base URL that is not http(s)": func(c *feed.Config) { c.BaseURL = "file:///etc" },
		"a staleness below the interval": func(c *feed.Config) { c.StaleAfter = time.Second },
		"an unknown zone":                func(c *feed.Config) { c.Region.TimeZone = "Mars/Olympus" },
		"a negative size bound":          func(c *feed.Config) { c.MaxFileBytes = -1 },
	} {
		cfg := good
		edit(&cfg)
		if _, err := feed.New(cfg, nil); !errors.Is(err, contracts.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	src, err := feed.New(good, nil)
	if err != nil {
		t.Fatalf("a good config: %v", err)
	}
	_ = src.Close()
}
