#!/usr/bin/env bash
# deploy/bench/history.sh: flat with history. Runs the saga benchmark
# (deploy/bench/run.sh, KINDS=0: direct, then saga over the five MIS
# regions) and HISTORY_READS history pages of the seeded citizens with the
# most bookings (40 each) twice: on an empty store, and on a store holding
# SEED_N bookings written by "federation seed" (seeded once into SEED_DIR
# and kept for later runs; its size per booking is printed by the seed).
# Prints both side by side: saga bookings/s and its ratio, saga p50/p99,
# history p50/p99 (the targets: throughput within 10% of the empty
# store's, history p99 <= 20 ms).
#
# Environment (defaults):
#   SEED_N=10000000          bookings in the seeded store
#   SEED_DIR=/tmp/fedbench-seed   where it is kept (seeded when it has no store)
#   N=5000 C=64              bookings and concurrency of each saga run
#   HISTORY_READS=2000       history pages read in each run
#   OUT=                     directory to keep both runs' reports in
#
# Usage: deploy/bench/history.sh          (needs go, curl, jq; ~20 GB of disk for 10M)
set -euo pipefail
cd "$(dirname "$0")/../.."

SEED_N=${SEED_N:-10000000}
SEED_DIR=${SEED_DIR:-/tmp/fedbench-seed}
HISTORY_READS=${HISTORY_READS:-2000}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fedhistory.XXXXXX")
OUT=${OUT:-$TMP/out}
trap 'rm -rf "$TMP/federation"' EXIT
mkdir -p "$OUT"
log() { echo "history.sh: $*" >&2; }

BIN=${FEDERATION_BIN:-}
if [[ -z $BIN ]]; then
	log "building the binary"
	go build -o "$TMP/federation" ./cmd/federation
	BIN=$TMP/federation
fi
if [[ ! -f $SEED_DIR/federation.db ]]; then
	mkdir -p "$SEED_DIR"
	log "seeding $SEED_N bookings into $SEED_DIR"
	"$BIN" seed --data "$SEED_DIR" --bookings "$SEED_N" --batch 50000 | tee "$OUT/seed.txt"
fi
# The demo keys the seed wrote: the pseudonyms of the seeded citizens.
KEY=$(jq -r .pseudonym "$SEED_DIR/demo-keys.json" | base64 -d | od -An -tx1 | tr -d ' \n')

export FEDERATION_BIN=$BIN KINDS=0 HISTORY_READS
log "run on an empty store"
OUT=$OUT/empty deploy/bench/run.sh >"$OUT/empty.txt"
log "run on the seeded store ($SEED_DIR)"
OUT=$OUT/seeded DATA_DIR=$SEED_DIR PSEUDONYM_KEY=$KEY deploy/bench/run.sh >"$OUT/seeded.txt"

f() { jq "$2" "$OUT/$1"; }
echo
echo "Flat with history $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "seeded store: $(grep -o '[0-9]* bookings of [0-9]* citizens' "$OUT/seed.txt" 2>/dev/null || echo "$SEED_DIR (seeded earlier)")"
printf "%-8s %11s %11s %9s %9s %12s %12s %12s\n" store "direct b/s" "saga b/s" "p50 ms" "p99 ms" "history p50" "history p99" "bookings/page"
for s in empty seeded; do
	printf "%-8s %11.1f %11.1f %9.1f %9.1f %12.2f %12.2f %12.1f\n" "$s" \
		"$(f $s/direct.json .bookings_per_second)" "$(f $s/saga.json .bookings_per_second)" \
		"$(f $s/saga.json .latency.p50_ms)" "$(f $s/saga.json .latency.p99_ms)" \
		"$(f $s/history.json .latency.p50_ms)" "$(f $s/history.json .latency.p99_ms)" "$(f $s/history.json .bookings_per_page)"
done
jq -n --slurpfile e "$OUT/empty/saga.json" --slurpfile s "$OUT/seeded/saga.json" --slurpfile ed "$OUT/empty/direct.json" --slurpfile sd "$OUT/seeded/direct.json" -r \
	'"saga throughput seeded/empty: \($s[0].bookings_per_second / $e[0].bookings_per_second * 1000 | round / 10)%   (saga/direct: empty \($e[0].bookings_per_second / $ed[0].bookings_per_second * 1000 | round / 10)%, seeded \($s[0].bookings_per_second / $sd[0].bookings_per_second * 1000 | round / 10)%)"'
if [[ $OUT == "$TMP/out" ]]; then log "reports in $OUT (kept)"; fi
