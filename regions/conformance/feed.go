package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path"
	"time"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/regions/feed"
	"github.com/fedhealth/federation/regions/feed/wire"
	"github.com/fedhealth/federation/regions/mishttp"
)

// feedRig is what the feed requirements share: the broker's feed reader,
// and the raw wire for the manifest and the files.
type feedRig struct {
	t    Target
	src  *feed.Source
	wire *rawClient
	loc  *time.Location
}

// newFeedSource is the one place the kit builds the feed reader, with the
// target's base URL and TLS files, its calls timed.
func newFeedSource(t Target) (*feed.Source, error) {
	tlsCfg, err := t.TLS.Load()
	if err != nil {
		return nil, err
	}
	return feed.New(feed.Config{Region: t.Region, BaseURL: t.URL, Timeout: t.Timeout,
		Transport: timedTransport{mishttp.NewTransport(tlsCfg), t.Recorder}}, nil)
}

func newFeedSuite(t Target) (*Suite, error) {
	src, err := newFeedSource(t)
	if err != nil {
		return nil, err
	}
	hc, err := t.httpClient()
	if err != nil {
		return nil, err
	}
	loc, _ := time.LoadLocation(t.Region.TimeZone) // loaded in withDefaults
	r := &feedRig{t: t, src: src, wire: &rawClient{hc: hc, token: t.BearerToken, rec: t.Recorder}, loc: loc}
	return &Suite{Requirements: feedRequirements(r), closers: []io.Closer{src}}, nil
}

// timedTransport records each request of the feed reader by the file's
// name ("reader GET Slot.ndjson").
type timedTransport struct {
	next http.RoundTripper
	rec  *kit.Recorder
}

func (tt timedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	defer tt.rec.Start("reader " + req.Method + " " + path.Base(req.URL.Path))()
	return tt.next.RoundTrip(req)
}

// published is one read of the feed on the raw wire.
type published struct {
	manifest   wire.Manifest
	manifestEx exchange
	// lines are each output's decoded lines, by resource type.
	lines map[string][]json.RawMessage
}

func (r *feedRig) manifestURL() string { return r.t.URL + wire.ManifestPath }

// read fetches the manifest and every file it lists.
func (r *feedRig) read(t kit.T) published {
	t.Helper()
	ex := r.wire.do(t, t.Context(), http.MethodGet, r.manifestURL(), "GET $bulk-publish", nil, nil)
	if ex.status != http.StatusOK {
		t.Fatalf("the manifest is not served; %s", ex)
	}
	p := published{manifestEx: ex, lines: map[string][]json.RawMessage{}}
	if err := json.Unmarshal(ex.body, &p.manifest); err != nil {
		t.Fatalf("the manifest is not JSON (%v); %s", err, ex)
	}
	for _, o := range p.manifest.Output {
		fx := r.wire.do(t, t.Context(), http.MethodGet, o.URL, "GET "+o.Type+" file", nil, nil)
		if fx.status != http.StatusOK {
			t.Fatalf("output %s (%s) is not served; %s", o.URL, o.Type, fx)
		}
		sc := bufio.NewScanner(bytes.NewReader(fx.body))
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			if !json.Valid(line) {
				t.Errorf("%s line %d is not JSON: %.200s", o.URL, n, line)
				continue
			}
			p.lines[o.Type] = append(p.lines[o.Type], append(json.RawMessage(nil), line...))
		}
	}
	return p
}

// decodeLines decodes every line of type typ into T.
func decodeLines[T any](t kit.T, p published, typ string) []T {
	t.Helper()
	var out []T
	for _, l := range p.lines[typ] {
		var v T
		if err := json.Unmarshal(l, &v); err != nil {
			t.Errorf("a %s line does not decode (%v): %.200s", typ, err, l)
			continue
		}
		out = append(out, v)
	}
	return out
}

func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && a.Host == b.Host
}
