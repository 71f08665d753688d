package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
