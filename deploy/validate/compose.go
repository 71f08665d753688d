package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// composeServices must all be present in compose.yaml.
var composeServices = []string{"kafka-volume", "kafka", "kafka-topics", "postgres", "migrate", "broker-1", "broker-2", "lb",
	"mis-77", "mis-78", "mis-16", "mis-54", "mis-25", "otel-collector", "prometheus", "grafana"}

// checkCompose checks deploy/compose without a container engine: the
// services exist, brokers are health-checked on /readyz, every mounted file
// exists, every variable compose interpolates is declared in .env.example,
// and every env:NAME secret of federation.yaml reaches the brokers.
func checkCompose(dir string) error {
	docs, err := yamlDocs(filepath.Join(dir, "compose.yaml"))
	if err != nil {
		return err
	}
	if len(docs) != 1 {
		return fmt.Errorf("compose.yaml: want one document, got %d", len(docs))
	}
	services, _ := docs[0]["services"].(map[string]any)
	var errs []error
	for _, name := range composeServices {
		svc, ok := services[name].(map[string]any)
		if !ok {
			errs = append(errs, fmt.Errorf("service %s missing", name))
			continue
		}
		errs = append(errs, checkService(dir, name, svc))
	}
	errs = append(errs, checkEnvDeclared(dir), checkSecretsReachBrokers(dir, services))
	return errors.Join(errs...)
}

func checkService(dir, name string, svc map[string]any) error {
	var errs []error
	if _, ok := svc["image"].(string); !ok {
		errs = append(errs, fmt.Errorf("service %s has no image", name))
	}
	if strings.HasPrefix(name, "broker-") && !strings.Contains(fmt.Sprint(svc["healthcheck"]), "/readyz") {
		errs = append(errs, fmt.Errorf("service %s is not health-checked on /readyz", name))
	}
	vols, _ := svc["volumes"].([]any)
	for _, v := range vols {
		src, _, _ := strings.Cut(fmt.Sprint(v), ":")
		if !strings.HasPrefix(src, ".") {
			continue // a named volume
		}
		if _, err := os.Stat(filepath.Join(dir, src)); err != nil {
			errs = append(errs, fmt.Errorf("service %s mounts %s: %w", name, src, err))
		}
	}
	return errors.Join(errs...)
}

var composeVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)`)

// checkEnvDeclared checks that .env.example declares every ${VAR} that
// compose.yaml interpolates ($${...} is a literal dollar, not a variable).
func checkEnvDeclared(dir string) error {
	compose, err := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if err != nil {
		return err
	}
	env, err := os.ReadFile(filepath.Join(dir, ".env.example"))
	if err != nil {
		return err
	}
	declared := map[string]bool{}
	for _, line := range strings.Split(string(env), "\n") {
		if k, _, ok := strings.Cut(strings.TrimSpace(line), "="); ok && !strings.HasPrefix(k, "#") {
			declared[k] = true
		}
	}
	var errs []error
	text := strings.ReplaceAll(string(compose), "$$", "")
	for _, m := range composeVar.FindAllStringSubmatch(text, -1) {
		if !declared[m[1]] {
			errs = append(errs, fmt.Errorf("compose.yaml uses ${%s}, which .env.example does not declare", m[1]))
		}
	}
	return errors.Join(errs...)
}

var envRef = regexp.MustCompile(`env:([A-Za-z_][A-Za-z0-9_]*)`)

// checkSecretsReachBrokers checks that each env:NAME in federation.yaml is
// set in every broker instance's environment.
func checkSecretsReachBrokers(dir string, services map[string]any) error {
	cfg, err := os.ReadFile(filepath.Join(dir, "federation.yaml"))
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range []string{"broker-1", "broker-2", "migrate"} {
		svc, _ := services[name].(map[string]any)
		env, _ := svc["environment"].(map[string]any)
		for _, m := range envRef.FindAllStringSubmatch(string(cfg), -1) {
			if _, ok := env[m[1]]; !ok {
				errs = append(errs, fmt.Errorf("federation.yaml reads env:%s, which service %s does not set", m[1], name))
			}
		}
	}
	return errors.Join(errs...)
}
