package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/regions/soap"
)

func TestTheSimulatorsAdminTokenComesFromTheEnvironmentOrAFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "admin-token")
	if err := os.WriteFile(file, []byte("from-the-file-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, env, file, want, wantErr string
	}{
		{name: "neither leaves admin to loopback callers", want: ""},
		{name: "the environment gives the token", env: "from-the-env-0123456789", want: "from-the-env-0123456789"},
		{name: "a file gives the token without its newline", file: file, want: "from-the-file-0123456789"},
		{name: "both at once is refused", env: "from-the-env-0123456789", file: file, wantErr: "not both"},
		{name: "an empty file is refused", file: empty, wantErr: "is empty"},
		{name: "a missing file is refused", file: filepath.Join(dir, "nope"), wantErr: "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(envMissimAdminToken, tc.env)
			got, err := tokenFromFileOrEnv(tc.file, envMissimAdminToken, "admin token", "--admin-token-file")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestTheSimulatorHasNoFlagForATokensValue(t *testing.T) {
	for _, flag := range []string{"--admin-token", "--token"} {
		var stdout, stderr strings.Builder
		err := run(t.Context(), []string{"missim", "--region", "77", flag, "x"}, &stdout, &stderr)
		if err == nil || !strings.Contains(stderr.String(), "flag provided but not defined: "+strings.TrimPrefix(flag, "-")) {
			t.Errorf("%s: err = %v, stderr %q: a token on the command line must be refused", flag, err, stderr.String())
		}
	}
}

func TestTheSimulatorsContractTokenComesFromTheEnvironment(t *testing.T) {
	t.Setenv(envMissimToken, "contract-token-0123456789")
	got, err := tokenFromFileOrEnv("", envMissimToken, "contract token", "--token-file")
	if err != nil || got != "contract-token-0123456789" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := tokenFromFileOrEnv(filepath.Join(t.TempDir(), "t"), envMissimToken, "contract token", "--token-file"); err == nil {
		t.Error("a file and the environment at once: want an error")
	}
}

// lockedBuilder is a strings.Builder safe to read while run writes to it.
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestMissimKindSoapServesTheSOAPStyle(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr lockedBuilder
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"missim", "--kind", "soap", "--region", "25", "--listen", "127.0.0.1:0", "--log-level", "error"}, &stdout, &stderr)
	}()
	var url string
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, rest, ok := strings.Cut(stdout.String(), " at "); ok {
			url, _, _ = strings.Cut(rest, "/ ")
		}
	}
	if url == "" {
		t.Fatalf("no banner; stderr %q", stderr.String())
	}
	resp, err := http.Get(url + "/?wsdl")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(body, soap.WSDL) {
		t.Fatalf("GET ?wsdl did not give the WSDL (%d bytes)", len(body))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), []string{"missim", "--kind", "corba", "--region", "25"}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "want fhir, soap, jsonrpc or feed") {
		t.Fatalf("an unknown kind: %v", err)
	}
}

// A quirk the simulators do not know, or one the kind cannot have, is a
// clear error before anything listens, and so are callbacks a kind cannot
// send or that lack their secret; a known quirk is named in the banner.
func TestTheSimulatorsQuirksAreCheckedAndAnnounced(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"an unknown quirk lists the known ones": {[]string{"--region", "78", "--quirk", "sleepy"}, "known: double-book, ignore-idempotency"},
		"a quirk the kind cannot have":          {[]string{"--kind", "feed", "--region", "27", "--quirk", "double-book"}, "does not apply to kind feed"},
		"callbacks from a kind that sends none": {[]string{"--kind", "jsonrpc", "--region", "77", "--callback-url", "http://127.0.0.1:1/", "--callback-secret-file", secret}, "kind jsonrpc sends no status callbacks"},
		"callbacks without their secret":        {[]string{"--region", "78", "--callback-url", "http://127.0.0.1:1/"}, "needs the signing secret"},
	} {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"missim", "--listen", "127.0.0.1:0"}, tc.args...)
			err := run(context.Background(), args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: %v, want an error saying %q", tc.args, err, tc.want)
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, []string{"missim", "--region", "78", "--listen", "127.0.0.1:0", "--quirk", "slow-hold", "--quirk", "bad-json"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "quirks (bugs on purpose, the conformance kit must fail): slow-hold, bad-json") {
		t.Errorf("banner %q does not name the quirks", out.String())
	}
}
