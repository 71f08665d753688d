package loadgen

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
)

// options is what the command line asks for: the run and where its JSON goes.
type options struct {
	cfg      Config
	history  HistoryConfig
	jsonPath string
}

const usageText = `Usage: federation loadgen --target URL --bookings N --concurrency C [flags]
       federation loadgen --direct --mis 77=URL,78=URL --bookings N --concurrency C [flags]
       federation loadgen --history N [--history-citizens seed-:100] --target URL --concurrency C [flags]

Books N free slots through the federal API as many citizens and follows each
booking to its final state (saga mode), or sends N hold+book pairs straight to
the MIS (--direct; FHIR MIS only). Prints bookings/s, latency percentiles
overall, per region and per region kind (fhir, soap, jsonrpc), outcomes and
errors by kind. With --history it books nothing: it reads N history pages
(GET /api/v1/bookings) of the citizens "federation seed" wrote with the most
bookings, and prints their latency. Flags:
`

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usageText); fs.PrintDefaults() }
	fs.StringVar(&o.cfg.Target, "target", "http://127.0.0.1:8080", "base URL of the federal API")
	fs.StringVar(&o.cfg.TokenURL, "token-url", "", "where citizens' tokens are signed (default TARGET/api/v1/dev/token, the demo's; a test-idp's /token for serve)")
	fs.IntVar(&o.cfg.Bookings, "bookings", 1000, "number of bookings (hold+book pairs with --direct)")
	fs.IntVar(&o.cfg.Concurrency, "concurrency", 8, "workers (closed loop); with --rate, the cap on bookings in flight")
	fs.Float64Var(&o.cfg.Rate, "rate", 0, "bookings started per second (open loop); 0 runs closed loop")
	fs.BoolVar(&o.cfg.Direct, "direct", false, "send hold+book pairs straight to the MIS given by --mis")
	fs.DurationVar(&o.cfg.Wait, "wait", 0, "long-poll of GET /bookings/{id}?wait= (default 10s)")
	fs.DurationVar(&o.cfg.Timeout, "timeout", 0, "bound of one booking from start to final state (default 60s)")
	fs.DurationVar(&o.cfg.MaxDuration, "max-duration", 0, "bound of the whole run (default 10m)")
	fs.IntVar(&o.cfg.Citizens, "citizens", 0, "most citizens to book as; a run uses as many as its slots need for no citizen to have overlapping bookings (default 2000)")
	fs.BoolVar(&o.cfg.AllowRemote, "allow-remote", false, "allow targets that are not loopback addresses")
	fs.DurationVar(&o.cfg.Progress, "progress", 0, "interval of progress lines (default 1s on a terminal, 5s otherwise)")
	fs.StringVar(&o.jsonPath, "json", "", "also write the figures as JSON to this file")
	fs.DurationVar(&o.cfg.Window, "window", 0, "add each such interval's completions and p50/p99 to the JSON report (a soak's p99 over time)")
	fs.IntVar(&o.history.Reads, "history", 0, "read this many history pages instead of booking")
	o.history.Prefix, o.history.Citizens = "seed-", 100
	fs.Func("history-citizens", "whose history --history reads: PREFIX:COUNT, subjects PREFIX0 .. PREFIX(COUNT-1) (default seed-:100)", func(v string) error {
		return parseHistoryCitizens(v, &o.history)
	})
	fs.Func("regions", "comma-separated region codes to book in (default: all)", func(v string) error {
		o.cfg.Regions = splitList(v)
		return nil
	})
	fs.Func("mis", "MIS base URLs: 77=http://127.0.0.1:9077,78=...", func(v string) (err error) {
		o.cfg.MIS, err = parsePairs(v)
		return err
	})
	fs.Func("fault", `fault to inject after the slots are gathered, e.g. 25='{"down":true}' (repeatable)`, func(v string) error {
		return addFault(&o.cfg, v)
	})
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return o, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parsePairs reads "77=url,78=url".
func parsePairs(v string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range splitList(v) {
		k, val, ok := strings.Cut(p, "=")
		if !ok || k == "" || val == "" {
			return nil, fmt.Errorf("%q is not REGION=URL", p)
		}
		out[k] = val
	}
	return out, nil
}

// addFault reads REGION=JSON; the JSON must be an object, as the
// simulator's PUT /admin/faults expects.
func addFault(c *Config, v string) error {
	k, val, ok := strings.Cut(v, "=")
	var obj map[string]any
	if !ok || k == "" || json.Unmarshal([]byte(val), &obj) != nil {
		return fmt.Errorf(`%q is not REGION={"down":true}-style JSON`, v)
	}
	if c.Faults == nil {
		c.Faults = map[string]string{}
	}
	c.Faults[k] = val
	return nil
}
