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
			got, err := missimAdminToken(tc.file)
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

func TestTheSimulatorHasNoFlagForTheAdminTokensValue(t *testing.T) {
	var stdout, stderr strings.Builder
	err := run(t.Context(), []string{"missim", "--region", "77", "--admin-token", "x"}, &stdout, &stderr)
	if err == nil || !strings.Contains(stderr.String(), "flag provided but not defined: -admin-token") {
		t.Fatalf("err = %v, stderr %q: a token on the command line must be refused", err, stderr.String())
	}
}
