#!/usr/bin/env bash
# TEST certificates for deploy/compose, written to deploy/compose/certs/
# (git-ignored): a CA made here and, signed by it,
#
#   lb.pem           HAProxy's TLS certificate for the API (localhost, 127.0.0.1, lb)
#   test-idp.crt/key the test identity provider's https (test-idp, localhost, 127.0.0.1)
#   mis-gateway.pem  the TLS in front of the simulators, which demands client certificates
#   postgres.crt/key PostgreSQL's TLS (postgres)
#   broker.crt/key   the brokers' client certificate for the MIS (mutual TLS)
#   ca.crt           what every client trusts (brokers, curl --cacert)
#
# Run once before `docker compose up`; --force makes new ones. The keys are
# readable by every user (0644) because each container runs as its own
# user; that is acceptable for a trial on one host and nothing else: a real
# deployment mounts certificates from its secret store (see deploy/helm).
set -euo pipefail
cd "$(dirname "$0")"
out=certs
if [ -f "$out/ca.crt" ] && [ "${1:-}" != "--force" ]; then
  echo "deploy/compose/certs exists; run with --force to make new certificates"
  exit 0
fi
mkdir -p "$out"
days=365
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days "$days" \
  -subj "/CN=federation compose TEST CA" -keyout "$out/ca.key" -out "$out/ca.crt" 2>/dev/null

issue() { # name, subjectAltName, extendedKeyUsage
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/CN=$1" \
    -keyout "$out/$1.key" -out "$out/$1.csr" 2>/dev/null
  openssl x509 -req -in "$out/$1.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial -days "$days" \
    -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=%s\n' "$2" "$3") -out "$out/$1.crt" 2>/dev/null
  rm "$out/$1.csr"
}
issue lb "DNS:localhost,DNS:lb,IP:127.0.0.1" serverAuth
issue test-idp "DNS:test-idp,DNS:localhost,IP:127.0.0.1" serverAuth
issue mis-gateway "DNS:mis-gateway" serverAuth
issue postgres "DNS:postgres" serverAuth
issue broker "DNS:federation-broker" clientAuth
# HAProxy reads the certificate and its key from one file.
cat "$out/lb.crt" "$out/lb.key" >"$out/lb.pem"
cat "$out/mis-gateway.crt" "$out/mis-gateway.key" >"$out/mis-gateway.pem"
rm -f "$out/ca.srl"
chmod 0644 "$out"/*
chmod 0600 "$out/ca.key" # mounted with the rest, but no container needs it
echo "TEST certificates written to deploy/compose/$out (CA: $out/ca.crt)"
