#!/usr/bin/env bash
# Validates the deployment files offline: helm lint and helm template of the
# chart (with its default values and with every optional part switched), then
# deploy/validate (every YAML/JSON file parses, compose wiring, dashboard
# metrics exist in the captured /metrics sample, Dockerfile non-root, the
# rendered manifests are well formed). Needs Go and the Go module proxy;
# helm is built from source once and cached.
#
#   deploy/validate.sh          exit status non-zero on any failure
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v3.20.2
TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/federation-tools"
HELM="$TOOLS/helm-$HELM_VERSION/helm"
# The kube version helm template assumes (a source build defaults to 1.20).
KUBE_VERSION=1.30.0
CHART=deploy/helm/federation

if [ ! -x "$HELM" ]; then
  echo "== building helm $HELM_VERSION into $TOOLS (once; takes a few minutes)"
  GOBIN="$TOOLS/helm-$HELM_VERSION" GOFLAGS= go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== helm lint"
"$HELM" lint --strict --kube-version "$KUBE_VERSION" "$CHART"
"$HELM" lint --strict --kube-version "$KUBE_VERSION" "$CHART" -f deploy/validate/helm-all-on.yaml

echo "== helm template"
render() { # name, then --set flags
  local name="$1"; shift
  "$HELM" template federation "$CHART" --namespace federation --kube-version "$KUBE_VERSION" "$@" >"$out/$name.yaml"
  echo "rendered $name: $(grep -c '^kind:' "$out/$name.yaml") objects"
}
render defaults
render all-on -f deploy/validate/helm-all-on.yaml
render minimal --set kafka.strimzi.enabled=false --set migrations.enabled=false \
  --set podDisruptionBudget.enabled=false --set config.tracing.otlpEndpoint= \
  --set kafka.tls.enabled=false --set kafka.sasl.mechanism=
grep -q '^kind: ServiceMonitor' "$out/all-on.yaml" || { echo "ServiceMonitor not rendered"; exit 1; }
grep -q '^kind: Ingress' "$out/all-on.yaml" || { echo "Ingress not rendered"; exit 1; }
grep -q 'cert_file: /etc/federation/secrets/mis-77-tls.crt' "$out/all-on.yaml" || { echo "MIS mutual TLS not rendered"; exit 1; }
grep -q 'mechanism: "SCRAM-SHA-512"' "$out/defaults.yaml" || { echo "Kafka SASL not in the default config"; exit 1; }
grep -q 'kind: soap' "$out/all-on.yaml" && grep -q 'kind: jsonrpc' "$out/all-on.yaml" && grep -q 'kind: feed' "$out/all-on.yaml" ||
  { echo "the region kinds did not render"; exit 1; }
grep -q 'ref_secret: file:/etc/federation/secrets/mis-50-ref-secret' "$out/all-on.yaml" || { echo "jsonrpc ref_secret not rendered"; exit 1; }
grep -q 'callback_listen: 0.0.0.0:8090' "$out/all-on.yaml" && grep -q 'callback-secret-16' "$out/all-on.yaml" ||
  { echo "callbacks not rendered"; exit 1; }
grep -q 'topicName: fed.clinic.v1' "$out/defaults.yaml" || { echo "the clinic topic is missing"; exit 1; }
grep -q 'callback_listen' "$out/defaults.yaml" && { echo "callbacks rendered while disabled"; exit 1; }
# A region without MIS credentials must not render.
if printf 'regions: [{code: "99", name: X, timeZone: Europe/Moscow, mis: {baseUrl: "https://x"}}]\n' |
   "$HELM" template federation "$CHART" --kube-version "$KUBE_VERSION" -f - >/dev/null 2>&1; then
  echo "a region without MIS credentials rendered"; exit 1
fi
grep -q '^kind: KafkaTopic' "$out/minimal.yaml" && { echo "KafkaTopic rendered with strimzi disabled"; exit 1; }
test "$(grep -c '^kind: KafkaTopic' "$out/defaults.yaml")" -ge 4 || { echo "KafkaTopics missing"; exit 1; }

echo "== deploy files"
go run ./deploy/validate -deploy deploy \
  -rendered "$out/defaults.yaml" -rendered "$out/all-on.yaml" -rendered "$out/minimal.yaml"
echo "deploy/validate.sh: all checks passed"
