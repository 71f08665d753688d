package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// checkDashboard parses the Grafana dashboard and checks that every metric
// its queries use appears in the /metrics sample captured from the broker,
// so that a renamed metric breaks this check rather than a panel.
func checkDashboard(dashboardPath, samplePath string) error {
	var dash map[string]any
	if err := jsonFile(dashboardPath, &dash); err != nil {
		return err
	}
	if _, ok := dash["panels"].([]any); !ok {
		return fmt.Errorf("%s: no panels", dashboardPath)
	}
	known, err := sampleMetrics(samplePath)
	if err != nil {
		return err
	}
	queries := collectQueries(dash)
	if len(queries) == 0 {
		return fmt.Errorf("%s: no queries", dashboardPath)
	}
	var errs []error
	for _, q := range queries {
		if w := personalWord(q); w != "" {
			errs = append(errs, fmt.Errorf("query mentions %q, which looks like personal data: %s", w, q))
		}
		for _, name := range metricNames(q) {
			if !known[name] {
				errs = append(errs, fmt.Errorf("metric %s is not in %s (query: %s)", name, samplePath, q))
			}
		}
	}
	return errors.Join(errs...)
}

// collectQueries returns every PromQL expression in the dashboard: panel
// targets' "expr" and template variables' "definition".
func collectQueries(v any) []string {
	var out []string
	switch t := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			if s, ok := t[k].(string); ok && (k == "expr" || k == "definition") {
				out = append(out, s)
				continue
			}
			out = append(out, collectQueries(t[k])...)
		}
	case []any:
		for _, e := range t {
			out = append(out, collectQueries(e)...)
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sampleMetrics reads the names of a Prometheus text exposition: every
// sample's name, plus each histogram's and summary's base name.
func sampleMetrics(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if fields := strings.Fields(line); len(fields) >= 4 && fields[0] == "#" && fields[1] == "TYPE" {
			names[fields[2]] = true
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		names[line[:strings.IndexAny(line+" ", "{ ")]] = true
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no metrics", path)
	}
	return names, nil
}
