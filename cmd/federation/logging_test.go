package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

func TestLogsAreJSONForMachinesAndTextOnRequestWithDurationsAsDurations(t *testing.T) {
	cases := map[string]struct {
		format string
		want   string
	}{
		"json on request":                    {"json", `"took":"1.5s"`},
		"text on request":                    {"text", `took=1.5s`},
		"auto writes JSON to a non-terminal": {"auto", `"took":"1.5s"`},
		"the default is auto":                {"", `"took":"1.5s"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			logger, err := newLogger(&buf, "info", c.format)
			if err != nil {
				t.Fatal(err)
			}
			logger.Info("migrated", "took", 1500*time.Millisecond)
			if !strings.Contains(buf.String(), c.want) {
				t.Errorf("logged %q, want it to contain %s", buf.String(), c.want)
			}
		})
	}
}

func TestAJSONLogLineIsOneObjectWithReadableDurationsInGroupsToo(t *testing.T) {
	var buf bytes.Buffer
	logger, _ := newLogger(&buf, "debug", "json")
	logger.WithGroup("relay").Debug("published", "waited", 250*time.Microsecond)
	var line struct {
		Level string
		Relay struct{ Waited string }
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil || line.Level != "DEBUG" || line.Relay.Waited != "250µs" {
		t.Errorf("line %s (%v), want level DEBUG and relay.waited 250µs", buf.String(), err)
	}
}

func TestUnknownLogSettingsAreRefused(t *testing.T) {
	if _, err := newLogger(&bytes.Buffer{}, "loud", "json"); err == nil || !strings.Contains(err.Error(), "loud") {
		t.Errorf("level loud: %v", err)
	}
	if _, err := newLogger(&bytes.Buffer{}, "info", "xml"); err == nil || !strings.Contains(err.Error(), "xml") {
		t.Errorf("format xml: %v", err)
	}
}

func TestDevNullIsNotATerminal(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("/dev/null is a character device, not a terminal: auto must write JSON there")
	}
}
