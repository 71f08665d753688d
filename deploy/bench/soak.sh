#!/usr/bin/env bash
# deploy/bench/soak.sh: the ten-minute soak. Runs deploy/bench/run.sh with
# a closed-loop saga run over the FHIR regions (78, 54, 25: their
# simulators get MIS_DAYS of slots, enough for ten minutes) to find the
# peak, then an open-loop run at half of it for SOAK_SECONDS against the
# same broker (serve, embedded Kafka + SQLite), sampling the broker's RSS
# (/proc/PID/status) and the outbox depth (federation_outbox_backlog)
# every 10 s, with loadgen's p99 per 10 s window. Draws docs/soak.png
# (deploy/bench/soakplot, gonum.org/v1/plot) and prints whether RSS stayed
# within 10% after the warm-up, how p99 moved, and the outbox at the end.
#
# Environment (defaults):
#   SOAK_SECONDS=600  PEAK_N=3000  C=64  MIS_DAYS=60  WARMUP=120 (seconds)
#   SOAK_RATE=        the soak's bookings/s (default half the peak run's)
#   OUT=              where the reports, samples and logs go (kept)
#   CHART=docs/soak.png
#
# Usage: deploy/bench/soak.sh          (needs go, curl, jq)
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/fedsoak.XXXXXX")}
CHART=${CHART:-docs/soak.png}
WARMUP=${WARMUP:-120}
export SOAK_SECONDS=${SOAK_SECONDS:-600} MIS_DAYS=${MIS_DAYS:-60}
mkdir -p "$OUT"

if [[ ${SUMMARY_ONLY:-0} != 1 ]]; then # SUMMARY_ONLY=1 OUT=DIR: chart and summary of a soak already run
	KINDS=0 DIRECT=0 N=${PEAK_N:-3000} SAGA_REGIONS=78,54,25 OUT=$OUT deploy/bench/run.sh | tee "$OUT/run.txt"
fi
go run ./deploy/bench/soakplot --samples "$OUT/soak-samples.csv" --report "$OUT/soak.json" --out "$CHART" \
	--title "Soak at $(cat "$OUT/soak-rate") bookings/s ($(date -u +%Y-%m-%d), $(nproc) cores)"

start=$(jq '.started | sub("\\.[0-9]+Z$"; "Z") | fromdate' "$OUT/soak.json")
echo
echo "Soak: $(jq .completed "$OUT/soak.json") bookings final of $(jq .bookings "$OUT/soak.json") at $(cat "$OUT/soak-rate")/s (peak $(jq .bookings_per_second "$OUT/saga.json")/s), load average $(cut -d' ' -f1-3 /proc/loadavg)"
awk -F, -v s="$start" -v w="$WARMUP" -v len="$SOAK_SECONDS" 'NR > 1 && $1 >= s + w && $1 <= s + len {
		if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2; n++ }
	END { if (n) printf "RSS after %d s of warm-up: %.0f to %.0f MiB, spread %.1f%% (flat within 10%%: %s)\n", w, min/1024, max/1024, (max-min)/min*100, ((max-min)/min <= 0.10 ? "yes" : "no") }' "$OUT/soak-samples.csv"
jq -r --argjson s "$start" --argjson w "$WARMUP" '[.windows[] | select(.start_unix >= $s + $w)] as $ws
	| ($ws | length) as $n | ($ws[: ($n / 2 | floor)] | map(.p99_ms) | sort) as $a | ($ws[($n / 2 | floor):] | map(.p99_ms) | sort) as $b
	| "p99 per 10 s after warm-up: median \($a[($a | length) / 2 | floor]) ms in the first half, \($b[($b | length) / 2 | floor]) ms in the second; max \($ws | map(.p99_ms) | max) ms over \($n) windows; overall p99 \(.latency.p99_ms) ms"' "$OUT/soak.json"
tail -n 1 "$OUT/soak-samples.csv" | awk -F, '{ printf "outbox at the end: %d messages (%s)\n", $3, ($3 == 0 ? "drained" : "NOT drained") }'
awk -F, 'NR > 1 && $3 > m { m = $3 } END { printf "outbox depth at most %d over the run\n", m }' "$OUT/soak-samples.csv"
echo "chart: $CHART   reports: $OUT"
