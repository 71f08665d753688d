package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/regions/feed/wire"
	"github.com/fedhealth/federation/regions/missim/feedsim"
)

// TestTheFeedSimulatorServesItsManifestUntilStopped starts the command's
// feed case on a free port and reads the manifest it announces.
func TestTheFeedSimulatorServesItsManifestUntilStopped(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- runFeedSim(ctx, feedsim.Config{Region: "25", TimeZone: "Asia/Vladivostok"}, addr, nil, &out)
	}()
	var resp *http.Response
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err = http.Get("http://" + addr + wire.ManifestPath); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	var m wire.Manifest
	err = json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if err != nil || len(m.Output) == 0 {
		t.Fatalf("manifest: %+v, %v", m, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "slot feed simulator for region 25") {
		t.Fatalf("banner: %q", out.String())
	}
}
