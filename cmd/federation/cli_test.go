package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestEveryHelpGoesToStdoutAndExitsZero(t *testing.T) {
	commands := []string{"demo", "serve", "missim", "loadgen", "drill", "migrate", "dlq", "saga"}
	type call struct {
		args []string
		want string
	}
	var calls []call
	for _, cmd := range commands {
		want := "Usage: federation " + cmd
		calls = append(calls, call{[]string{cmd, "--help"}, want}, call{[]string{cmd, "-h"}, want}, call{[]string{"help", cmd}, want})
	}
	calls = append(calls,
		call{[]string{"dlq", "list", "--help"}, "Usage: federation dlq"},
		call{[]string{"saga", "show", "-h"}, "Usage: federation saga"},
		call{[]string{"help"}, "Usage:\n  federation demo"},
		call{[]string{"-h"}, "Usage:\n  federation demo"},
		call{[]string{"--help"}, "Usage:\n  federation demo"},
	)
	for _, c := range calls {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var stdout, stderr strings.Builder
			err := run(t.Context(), c.args, &stdout, &stderr)
			if code := exitCode(err, &stderr); code != 0 {
				t.Errorf("exit %d (%v), want 0", code, err)
			}
			if !strings.Contains(stdout.String(), c.want) {
				t.Errorf("stdout %q, want it to contain %q", stdout.String(), c.want)
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr %q, want nothing", stderr.String())
			}
		})
	}
}

func TestAMistakeInTheCommandLineExitsTwoWithTheUsageOnStderr(t *testing.T) {
	cases := map[string]struct {
		args []string
		want string
	}{
		"no command":          {nil, "Usage:"},
		"an unknown command":  {[]string{"frobnicate"}, `unknown command "frobnicate"`},
		"an unknown flag":     {[]string{"demo", "--colour"}, "flag provided but not defined: -colour"},
		"a missing config":    {[]string{"serve"}, "--config is required"},
		"a verb left out":     {[]string{"dlq", "--limit", "3"}, "a command is required"},
		"a bad log format":    {[]string{"missim", "--region", "77", "--log-format", "xml"}, `log format "xml"`},
		"help on no such one": {[]string{"help", "frobnicate"}, `unknown command "frobnicate"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			err := run(t.Context(), c.args, &stdout, &stderr)
			if code := exitCode(err, &stderr); code != 2 {
				t.Errorf("exit %d (%v), want 2", code, err)
			}
			if !strings.Contains(stderr.String(), c.want) {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), c.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

func TestVersionNamesTheModuleAndTheRevisionItWasBuiltFrom(t *testing.T) {
	var out strings.Builder
	printVersion(&out, &debug.BuildInfo{
		GoVersion: "go1.26.0", Path: "github.com/fedhealth/federation/cmd/federation",
		Main: debug.Module{Path: "github.com/fedhealth/federation", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "33f111a0c1"}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
		},
	}, true)
	for _, want := range []string{"federation v1.4.0\n", "module    github.com/fedhealth/federation\n", "revision  33f111a0c1\n",
		"time      2026-11-30T10:00:00Z\n", "modified  true\n", "go        go1.26.0\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("version printed\n%s\nwant a line %q", out.String(), want)
		}
	}
	out.Reset()
	if err := run(t.Context(), []string{"version"}, &out, &out); err != nil || !strings.HasPrefix(out.String(), "federation ") {
		t.Errorf("federation version: %v, printed %q", err, out.String())
	}
}
