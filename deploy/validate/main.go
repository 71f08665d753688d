// Command validate checks the deployment files under deploy/ without a
// cluster or a container engine: every YAML and JSON file parses, the
// compose file is wired (mounted files exist, secrets are declared in
// .env.example, brokers are health-checked on /readyz), the Grafana
// dashboard only queries metrics the broker exports (against a captured
// /metrics sample), the Dockerfile runs as a non-root user, and the Helm
// chart's rendered manifests are well formed. deploy/validate.sh runs it
// after helm lint and helm template.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "validate:", err)
		os.Exit(1)
	}
}

// check is one named validation; it returns every problem it finds.
type check struct {
	name string
	run  func() error
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	deploy := fs.String("deploy", "deploy", "the deploy/ directory")
	var rendered multiFlag
	fs.Var(&rendered, "rendered", "output of helm template to check (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir := *deploy
	checks := []check{
		{"YAML and JSON files parse", func() error { return parseAll(dir) }},
		{"compose wiring", func() error { return checkCompose(filepath.Join(dir, "compose")) }},
		{"dashboard metrics exist", func() error {
			return checkDashboard(filepath.Join(dir, "grafana", "federation-dashboard.json"),
				filepath.Join(dir, "grafana", "metrics-sample.txt"))
		}},
		{"Dockerfile runs as non-root", func() error { return checkDockerfile(filepath.Join(dir, "Dockerfile")) }},
	}
	for _, f := range rendered {
		checks = append(checks, check{"helm manifests " + filepath.Base(f), func() error { return checkRendered(f) }})
	}
	var failed []error
	for _, c := range checks {
		if err := c.run(); err != nil {
			fmt.Fprintf(out, "FAIL %s:\n  %v\n", c.name, err)
			failed = append(failed, fmt.Errorf("%s: %w", c.name, err))
			continue
		}
		fmt.Fprintf(out, "ok   %s\n", c.name)
	}
	return errors.Join(failed...)
}

// multiFlag collects a repeated string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint(*m) }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
