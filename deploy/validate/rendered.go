package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// checkRendered checks the output of helm template: every document is a
// Kubernetes object, the broker's Deployment probes /readyz and /healthz
// on the internal port and runs non-root on a read-only root file system,
// and the embedded federation.yaml parses, has an internal listener and no
// development issuer.
func checkRendered(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	docs, err := decodeYAML(path, data)
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		return fmt.Errorf("%s: no manifests", path)
	}
	var errs []error
	deployments := 0
	for _, d := range docs {
		kind, _ := d["kind"].(string)
		name, _ := dig(d, "metadata", "name").(string)
		if kind == "" || name == "" || d["apiVersion"] == nil {
			errs = append(errs, fmt.Errorf("%s: a document without apiVersion, kind or metadata.name", path))
			continue
		}
		switch kind {
		case "Deployment":
			deployments++
			errs = append(errs, checkDeployment(name, d))
		case "ConfigMap":
			errs = append(errs, checkConfigMap(name, d))
		}
	}
	if deployments != 1 {
		errs = append(errs, fmt.Errorf("%s: want one Deployment, got %d", path, deployments))
	}
	return errors.Join(errs...)
}

func checkDeployment(name string, d map[string]any) error {
	pod := dig(d, "spec", "template", "spec")
	text := fmt.Sprint(pod)
	var errs []error
	for _, want := range []string{"path:/readyz port:internal", "path:/healthz port:internal", "readOnlyRootFilesystem:true", "runAsNonRoot:true", "terminationGracePeriodSeconds:"} {
		if !strings.Contains(text, want) {
			errs = append(errs, fmt.Errorf("Deployment %s: pod spec lacks %s", name, want))
		}
	}
	return errors.Join(errs...)
}

func checkConfigMap(name string, d map[string]any) error {
	cfg, ok := dig(d, "data", "federation.yaml").(string)
	if !ok {
		return nil
	}
	docs, err := decodeYAML("ConfigMap "+name, []byte(cfg))
	if err != nil {
		return err
	}
	if len(docs) != 1 || docs[0]["regions"] == nil {
		return fmt.Errorf("ConfigMap %s: federation.yaml has no regions", name)
	}
	if docs[0]["internal_listen"] == nil || dig(docs[0], "auth", "dev_issuer") != nil {
		return fmt.Errorf("ConfigMap %s: federation.yaml lacks internal_listen or sets auth.dev_issuer", name)
	}
	return nil
}

// dig walks nested maps by key; nil when a step is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
