package main

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
)

// clinicAtTheKeyboard is stdout as a vendor reads it: on the kit's ACTION
// line it points the simulator's callbacks at the kit's receiver and
// cancels the named appointment at the clinic, through the admin API.
type clinicAtTheKeyboard struct {
	t      *testing.T
	sim    *fleet.Simulator
	secret string
	mu     sync.Mutex
	out    strings.Builder
}

var actionLine = regexp.MustCompile(`ACTION  send status callbacks to (\S+) and change appointment (\S+) at the clinic`)

func (c *clinicAtTheKeyboard) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.out.Write(b)
	c.mu.Unlock()
	if m := actionLine.FindSubmatch(b); m != nil {
		if err := c.sim.SetCallback(missim.CallbackTarget{URL: string(m[1]), Secret: c.secret}); err != nil {
			c.t.Error(err)
		}
		resp, err := http.Post(c.sim.URL+"/admin/appointments/"+string(m[2])+"/status", "application/json", strings.NewReader(`{"status":"no-show"}`))
		if err != nil {
			c.t.Error(err)
		} else {
			_ = resp.Body.Close()
		}
	}
	return len(b), nil
}

func (c *clinicAtTheKeyboard) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// With --callback-listen the kit asks for a change at the clinic and
// passes the signed callback that reports it, and fails an unsigned one
// with the broker's reason; the secret comes from its file and is never
// printed.
func TestConformanceChecksTheStatusCallbackItAskedFor(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		quirks   []missim.Quirk
		wantCode int
		want     string
	}{
		"signed":   {nil, 0, "PASS  FHIR-CB-01"},
		"unsigned": {[]missim.Quirk{missim.QuirkUnsignedCallback}, 1, "missing_headers"},
	} {
		t.Run(name, func(t *testing.T) {
			var r fleet.Region
			for _, x := range fleet.Regions {
				if x.Kind == contracts.RegionFHIR {
					r = x
					break
				}
			}
			sim, err := fleet.Start(r, missim.Config{Region: r.Code, TimeZone: r.TimeZone, Quirks: c.quirks}, "127.0.0.1:0", nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sim.Close() })
			stdout := &clinicAtTheKeyboard{t: t, sim: sim, secret: secret}
			var stderr strings.Builder
			err = run(t.Context(), []string{"conformance", "--mis-url", sim.URL, "--region", r.Code, "--only", "FHIR-CB-01",
				"--callback-listen", "127.0.0.1:0", "--callback-secret-file", file, "--callback-wait", "10s"}, stdout, &stderr)
			out := stdout.String()
			if code := exitCode(err, &stderr); code != c.wantCode || !strings.Contains(out, c.want) {
				t.Fatalf("exit %d (%v), want %d and %q; stdout:\n%s\nstderr:\n%s", code, err, c.wantCode, c.want, out, stderr.String())
			}
			if strings.Contains(out+stderr.String(), secret[6:]) {
				t.Error("the callback secret was printed")
			}
		})
	}
}
